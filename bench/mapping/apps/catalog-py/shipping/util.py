"""Carrier rate estimates."""
import time

from aws_xray_sdk.core import xray_recorder

ZONES = {'DE': 1, 'AT': 2, 'FR': 2, 'CH': 3}
RATE_PER_ZONE = 4.90


@xray_recorder.capture('shipping.estimate')
def estimate(country, weight_kg=1.0):
    zone = ZONES.get(country)
    if zone is None:
        raise LookupError(f'we do not ship to {country}')
    time.sleep(0.004)  # carrier rating API
    return {'carrier': 'DHL' if zone == 1 else 'UPS', 'cost': round(RATE_PER_ZONE * zone + 0.8 * weight_kg, 2),
            'days': 1 + zone}
