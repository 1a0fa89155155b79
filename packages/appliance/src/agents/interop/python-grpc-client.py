"""Interop check: a gRPC client that is not ours (Debian's python3-grpcio) calls the appliance.

Generates Python stubs from our .proto with grpc_tools into a temporary directory, enrolls with a
token over TLS (trusting only the site CA), then heartbeats with mutual TLS using the issued
certificate, and confirms that a heartbeat without a client certificate is refused.
Prints one JSON object with what it saw; exits non-zero on any unexpected outcome.

usage: OSIRIS_ENROLLMENT_TOKEN=... python3 python-grpc-client.py PROTO_DIR WORK_DIR HOST:PORT
  WORK_DIR holds ca.pem, key.pem (PKCS#8) and csr.der; client.pem is written there.
"""
import json
import os
import ssl
import sys

import grpc
import grpc_tools
from google.protobuf import timestamp_pb2
from grpc_tools import protoc


def generate_stubs(proto_dir, out_dir):
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    os.makedirs(out_dir, exist_ok=True)
    args = [
        "protoc",
        "-I" + proto_dir,
        "-I" + include,
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
        "osiris/agent/v1/agent.proto",
        "osiris/agent/v1/limits.proto",
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    sys.path.insert(0, out_dir)


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def main():
    proto_dir, work_dir, target = sys.argv[1:4]
    token = os.environ["OSIRIS_ENROLLMENT_TOKEN"]
    generate_stubs(proto_dir, os.path.join(work_dir, "gen"))
    from osiris.agent.v1 import agent_pb2, agent_pb2_grpc

    ca = read(os.path.join(work_dir, "ca.pem"))
    options = [("grpc.ssl_target_name_override", "localhost")]
    out = {}

    with grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=ca), options) as channel:
        stub = agent_pb2_grpc.AgentServiceStub(channel)
        enrolled = stub.Enroll(
            agent_pb2.EnrollRequest(
                enrollment_token=token,
                csr_der=read(os.path.join(work_dir, "csr.der")),
                host=agent_pb2.HostFacts(hostname="py-host", os_family=agent_pb2.OS_FAMILY_LINUX),
                agent_version="0.0.1-python",
                protocol_version=1,
            ),
            timeout=10,
        )
        out["agent_id"] = enrolled.agent_id
        out["site_id"] = enrolled.site_id
        out["config_tier"] = enrolled.config.tier
        try:
            stub.Heartbeat(agent_pb2.HeartbeatRequest(header=agent_pb2.AgentHeader(agent_id=enrolled.agent_id, protocol_version=1)), timeout=10)
            out["anonymous_heartbeat"] = "OK"
        except grpc.RpcError as error:
            out["anonymous_heartbeat"] = error.code().name

    cert_pem = ssl.DER_cert_to_PEM_cert(enrolled.client_certificate_der).encode()
    credentials = grpc.ssl_channel_credentials(
        root_certificates=ca,
        private_key=read(os.path.join(work_dir, "key.pem")),
        certificate_chain=cert_pem,
    )
    with grpc.secure_channel(target, credentials, options) as channel:
        stub = agent_pb2_grpc.AgentServiceStub(channel)
        header = agent_pb2.AgentHeader(agent_id=enrolled.agent_id, agent_version="0.0.1-python", protocol_version=1)
        beat = stub.Heartbeat(agent_pb2.HeartbeatRequest(header=header, config_version=0), timeout=10)
        out["heartbeat_protocol_version"] = beat.protocol_version
        out["heartbeat_server_time"] = beat.server_time.seconds
        out["heartbeat_has_config"] = beat.HasField("config")
        results = stub.ReportResults(
            agent_pb2.ReportResultsRequest(
                header=header,
                results=[
                    agent_pb2.CheckResult(
                        seq=1,
                        check_id="linux_firewall",
                        status=agent_pb2.CHECK_STATUS_PASS,
                        detected_at=timestamp_pb2.Timestamp(seconds=1700000000, nanos=5),
                    )
                ],
            ),
            timeout=10,
        )
        out["acked_through_seq"] = results.acked_through_seq
    print(json.dumps(out))


if __name__ == "__main__":
    main()
