"""Real boto3 against a KMS endpoint: a sequence of Encrypt calls in one retry mode.

Usage: python3 boto3_retry_calls.py URL MODE COUNT
Each request i carries EncryptionContext {"req": "i"} so the server's audit log groups its attempts.
Backoff sleeps are recorded instead of slept (botocore's endpoint calls time.sleep), which keeps
the calls inside the server's one-second quota windows; the adaptive limiter's waits are real.
Prints one JSON document: the constants botocore uses, and per request the outcome, botocore's
RetryAttempts and whether it reported RetryQuotaReached / MaxAttemptsReached.
"""
import json
import sys
import time

import boto3
import botocore
import botocore.loaders
from botocore.config import Config
from botocore.exceptions import ClientError

url, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
sleeps = []
time.sleep = lambda s: sleeps.append(s)

from botocore.retries import quota, standard  # noqa: E402

args = dict(endpoint_url=url, region_name='us-east-1', aws_access_key_id='111122223333',
            aws_secret_access_key='testing')
setup = boto3.client('kms', **args)
key = setup.create_key()['KeyMetadata']['KeyId']
kms = boto3.client('kms', config=Config(retries={'mode': mode}), **args)
out = []
for i in range(count):
    before = len(sleeps)
    try:
        meta = kms.encrypt(KeyId=key, Plaintext=b'x', EncryptionContext={'req': str(i)})['ResponseMetadata']
        code = None
    except ClientError as e:
        meta = e.response.get('ResponseMetadata', {})
        code = e.response.get('Error', {}).get('Code')
    out.append({'req': i, 'error': code, 'retryAttempts': meta.get('RetryAttempts'),
                'quotaReached': bool(meta.get('RetryQuotaReached')),
                'maxAttemptsReached': bool(meta.get('MaxAttemptsReached')), 'sleeps': sleeps[before:]})
retry_data = botocore.loaders.Loader().load_data('_retry')
legacy = retry_data['retry']['__default__']
when = [retry_data['definitions'][p['$ref']]['applies_when'].get('response', {}) for p in legacy['policies'].values()]
print(json.dumps({
    'botocore': botocore.__version__,
    'keyId': key,
    'legacy': {'maxAttempts': legacy['max_attempts'], 'delay': legacy['delay'],
               'codes': sorted(w['service_error_code'] for w in when if 'service_error_code' in w),
               'statusOnly': sorted(w['http_status_code'] for w in when if 'service_error_code' not in w and 'http_status_code' in w)},
    'newRetries2026': standard.NEW_RETRIES_ENABLED,
    'standard': {'maxAttempts': standard.DEFAULT_MAX_ATTEMPTS, 'quota': quota.RetryQuota.INITIAL_CAPACITY,
                 'retryCost': standard.RetryQuotaChecker._RETRY_COST,
                 'timeoutCost': standard.RetryQuotaChecker._TIMEOUT_RETRY_REQUEST,
                 'noRetryIncrement': standard.RetryQuotaChecker._NO_RETRY_INCREMENT,
                 'maxBackoff': standard.ExponentialBackoff._MAX_BACKOFF,
                 'throttlingCodes': standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES},
    'requests': out,
}))
