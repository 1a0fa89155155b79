import type {
  HeartbeatRequest,
  HeartbeatResponse,
  ReportHealResultRequest,
  ReportHealResultResponse,
  ReportResultsRequest,
  ReportResultsResponse,
} from '@osiris/protocol/agent-proto';

/** The calls the scheduler makes after enrollment; the gRPC client implements it, tests may too. */
export interface AgentTransport {
  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse>;
  reportResults(request: ReportResultsRequest): Promise<ReportResultsResponse>;
  reportHealResult(request: ReportHealResultRequest): Promise<ReportHealResultResponse>;
}
