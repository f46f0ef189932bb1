# A Python app on the X-Ray SDK's centralized sampling (aws-xray-sdk 2.x: GetSamplingRules and SamplingTargets on
# the daemon address): N requests, each a segment whose sampling the SDK decides, then it stays up so its target
# poller reports the statistics (every 10 s). Prints {"traceId", "sampled"} per request, then {"done": true}.
# usage: python3 test/peers/pythonSamplingApp.py 127.0.0.1:PORT REQUESTS INTERVAL_MS LINGER_S [SERVICE]
import json
import sys
import time

from aws_xray_sdk.core import xray_recorder


def main():
    address, requests, interval_ms, linger_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    service = sys.argv[5] if len(sys.argv) > 5 else 'py-orders'
    xray_recorder.configure(daemon_address=address, sampling=True, context_missing='LOG_ERROR', service=service)
    for i in range(requests):
        segment = xray_recorder.begin_segment(service)
        sampled = bool(getattr(segment, 'sampled', False))
        if sampled:
            segment.put_annotation('order', i)
            segment.put_http_meta('method', 'GET')
            segment.put_http_meta('url', 'http://localhost/orders/%d' % i)
        trace_id = getattr(segment, 'trace_id', '')
        xray_recorder.end_segment()
        print(json.dumps({'traceId': trace_id, 'sampled': sampled}), flush=True)
        if interval_ms:
            time.sleep(interval_ms / 1000)
    print(json.dumps({'done': True}), flush=True)
    time.sleep(linger_s)


if __name__ == '__main__':
    main()
