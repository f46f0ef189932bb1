"""X-Ray setup shared by the web app and the library packages.

Import this before anything that makes HTTP calls. The daemon address comes
from AWS_XRAY_DAEMON_ADDRESS, which the SDK reads by itself.
"""
import contextlib
import os
import traceback

from aws_xray_sdk.core import patch, xray_recorder
from aws_xray_sdk.core.recorder import AWSXRayRecorder

SAMPLING_RULES = {
    'version': 1,
    'rules': [
        # Load-balancer health checks: only traced when they are part of a trace.
        {'description': 'health', 'service_name': '*', 'http_method': 'GET',
         'url_path': '/health', 'fixed_target': 0, 'rate': 0.0},
    ],
    'default': {'fixed_target': 1, 'rate': float(os.environ.get('XRAY_SAMPLE_RATE', '1.0'))},
}

xray_recorder.configure(
    service='catalog-py',
    sampling_rules=SAMPLING_RULES,
    context_missing='LOG_ERROR',
)
patch(('requests',))


# The distro package (python3-aws-xray-sdk on Debian 12) is older than
# `xray_recorder.in_subsegment()`. Backport it so call sites look the same as
# with a current SDK; drop this once we move to the PyPI package.
if not hasattr(AWSXRayRecorder, 'in_subsegment'):
    @contextlib.contextmanager
    def _in_subsegment(self, name=None, namespace='local', **_ignored):
        subsegment = self.begin_subsegment(name, namespace)
        try:
            yield subsegment
        except Exception as exc:
            if subsegment is not None:
                subsegment.add_exception(exc, traceback.extract_stack(limit=self._max_trace_back))
            raise
        finally:
            self.end_subsegment()

    AWSXRayRecorder.in_subsegment = _in_subsegment
