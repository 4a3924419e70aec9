"""boto3 against `kms-bench serve`: custom key stores and key material ids (issue 14).

Usage: boto3_custom_key_stores.py ENDPOINT_URL
Prints one JSON object: what boto3 saw (response members, error codes and messages), for the
vitest side to compare with AWS's documented and recorded behaviour.
"""
import json
import sys
import time

import boto3
import botocore.config

url = sys.argv[1]
kms = boto3.client(
    "kms",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
    config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 5}),
)
out = {}


def error(f):
    try:
        f()
    except kms.exceptions.ClientError as e:  # every modelled error is a ClientError subclass
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
    return None


def settle(store_id):
    for _ in range(100):
        s = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]
        if s["ConnectionState"] != "CONNECTING":
            return s
        time.sleep(0.25)
    return s


hsm = kms.create_custom_key_store(
    CustomKeyStoreName="hsm",
    CloudHsmClusterId="cluster-2a23b4cdefg",
    TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    KeyStorePassword="kmsuserpw",
)["CustomKeyStoreId"]
xks_args = dict(
    CustomKeyStoreName="xks",
    CustomKeyStoreType="EXTERNAL_KEY_STORE",
    XksProxyUriEndpoint="https://xks.example.invalid",
    XksProxyUriPath="/example/kms/xks/v1",
    XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
    XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-example",
    XksProxyAuthenticationCredential={
        "AccessKeyId": "ABCDEFGHIJKLMNOPQRSTUV",
        "RawSecretAccessKey": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
    },
)
public_args = {k: v for k, v in xks_args.items() if k != "XksProxyVpcEndpointServiceName"}
public_args.update(CustomKeyStoreName="pub", XksProxyConnectivity="PUBLIC_ENDPOINT")
out["publicUnreachable"] = error(lambda: kms.create_custom_key_store(**public_args))
xks = kms.create_custom_key_store(**xks_args)["CustomKeyStoreId"]
kms.connect_custom_key_store(CustomKeyStoreId=hsm)
kms.connect_custom_key_store(CustomKeyStoreId=xks)
out["hsmStore"] = {k: v for k, v in settle(hsm).items() if k != "CreationDate"}
out["xksStore"] = {k: v for k, v in settle(xks).items() if k != "CreationDate"}
out["connectFailed"] = error(lambda: kms.connect_custom_key_store(CustomKeyStoreId=xks))
out["createInFailed"] = error(
    lambda: kms.create_key(CustomKeyStoreId=xks, Origin="EXTERNAL_KEY_STORE", XksKeyId="k1")
)

md = kms.create_key(CustomKeyStoreId=hsm, Origin="AWS_CLOUDHSM")["KeyMetadata"]
out["hsmKey"] = {k: md.get(k) for k in ("Origin", "CustomKeyStoreId", "CloudHsmClusterId", "KeyState")}
ct = kms.encrypt(KeyId=md["KeyId"], Plaintext=b"x")["CiphertextBlob"]
dec = kms.decrypt(CiphertextBlob=ct)
out["decryptMembers"] = sorted(k for k in dec if k != "ResponseMetadata")
out["decryptMaterial"] = dec.get("KeyMaterialId")
out["currentMaterial"] = kms.describe_key(KeyId=md["KeyId"])["KeyMetadata"].get("CurrentKeyMaterialId")
out["gdkMembers"] = sorted(
    k for k in kms.generate_data_key(KeyId=md["KeyId"], KeySpec="AES_256") if k != "ResponseMetadata"
)
kms.disconnect_custom_key_store(CustomKeyStoreId=hsm)
out["decryptDisconnected"] = error(lambda: kms.decrypt(CiphertextBlob=ct))
out["randomDisconnected"] = error(lambda: kms.generate_random(NumberOfBytes=8, CustomKeyStoreId=hsm))
out["deleteWithKeys"] = error(lambda: kms.delete_custom_key_store(CustomKeyStoreId=hsm))
print(json.dumps(out))
