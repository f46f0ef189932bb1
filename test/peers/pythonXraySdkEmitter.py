# A second real emitter for the collector tests: the Python X-Ray SDK (Debian package python3-aws-xray-sdk).
# Sends one segment with a subsegment, an annotation, metadata and a recorded exception to the daemon
# address, then prints {"traceId", "segmentId", "subsegmentId"} as one JSON line.
# usage: python3 test/peers/pythonXraySdkEmitter.py 127.0.0.1:PORT
import json
import sys
import time
import traceback

from aws_xray_sdk.core import xray_recorder


def main():
    address = sys.argv[1]
    # sampling=False: trace this segment whatever the local rules say (old SDKs have no centralized sampling).
    xray_recorder.configure(daemon_address=address, sampling=False, context_missing='LOG_ERROR')
    xray_recorder.emitter.set_daemon_address(address)

    segment = xray_recorder.begin_segment('python-billing')
    segment.put_annotation('invoice', 'INV-42')
    segment.put_metadata('customer', {'tier': 'gold'})
    subsegment = xray_recorder.begin_subsegment('chargeCard')
    subsegment.put_annotation('attempt', 1)
    try:
        raise ValueError('card declined')
    except ValueError as error:
        subsegment.add_exception(error, traceback.extract_stack())
    xray_recorder.end_subsegment()
    segment.add_fault_flag()
    xray_recorder.end_segment()
    # UDP is fire-and-forget; stay alive a moment so the datagram is surely out of the socket.
    time.sleep(0.1)
    print(json.dumps({'traceId': segment.trace_id, 'segmentId': segment.id, 'subsegmentId': subsegment.id}))


if __name__ == '__main__':
    main()
