"""Price calculation shared by the catalog and cart services."""
import time

from aws_xray_sdk.core import xray_recorder

VAT = {'DE': 0.19, 'FR': 0.20, 'AT': 0.20, 'CH': 0.081}
PROMOTIONS = [
    {'code': 'TRAIL10', 'category': 'shoes', 'brand': 'Northpeak', 'percent': 10},
    {'code': 'SOCKS3', 'category': 'apparel', 'min_qty': 3, 'percent': 15},
]


@xray_recorder.capture()
def apply_promotions(product, quantity):
    time.sleep(0.002)  # promotions are fetched from the CMS
    best = 0
    for promo in PROMOTIONS:
        if promo.get('category') not in (None, product['category']):
            continue
        if promo.get('brand') not in (None, product['brand']):
            continue
        if quantity < promo.get('min_qty', 1):
            continue
        best = max(best, promo['percent'])
    return best


def quote_price(product, quantity=1, country='DE'):
    if country not in VAT:
        raise ValueError(f'no VAT rate for {country}')
    discount = apply_promotions(product, quantity)
    net = round(product['price'] * quantity * (100 - discount) / 100, 2)
    time.sleep(0.001)
    return {'net': net, 'discount_percent': discount, 'gross': round(net * (1 + VAT[country]), 2), 'country': country}
