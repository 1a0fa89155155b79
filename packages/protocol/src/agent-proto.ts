// The agent <-> appliance gRPC contract, exported as `@osiris/protocol/agent-proto` (not from the
// package index, so the web bundle does not carry protobuf code). Messages, enums and the
// `AgentService` descriptor (usable as is by connect-node v2) are generated from
// proto/osiris/agent/v1/*.proto into ./gen by `npm run proto:gen`; never edit ./gen by hand.
import { type DescField, type DescMessage, getOption, hasOption } from '@bufbuild/protobuf';
import { field_limits, type FieldLimits, max_encoded_bytes } from './gen/osiris/agent/v1/limits_pb';

export * from './gen/osiris/agent/v1/agent_pb';
export * from './gen/osiris/agent/v1/limits_pb';

/** Revision of osiris.agent.v1 this code implements (`protocol_version` in requests and responses). */
export const AGENT_PROTOCOL_VERSION = 1;

/** The `(limits)` option of a field, or undefined when the field declares none. */
export function getFieldLimits(field: DescField): FieldLimits | undefined {
  return hasOption(field, field_limits) ? getOption(field, field_limits) : undefined;
}

/** The `(max_encoded_bytes)` option of a message, or undefined when it declares none. */
export function getMaxEncodedBytes(message: DescMessage): number | undefined {
  return hasOption(message, max_encoded_bytes) ? getOption(message, max_encoded_bytes) : undefined;
}
