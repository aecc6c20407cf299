"""Kaggle's official Python SDK (kagglesdk, unchanged) against the strict fake, for every call SteelCI makes.

Not part of CI (it needs the SDK's source and Debian's python3-protobuf and python3-requests). Run:

    steelci fake kaggle --port 7777 --user alice:KGAT_sdk_check_alice &
    PYTHONPATH=/path/to/kaggle-sdk-python KAGGLE_API_ENVIRONMENT=TEST KAGGLE_API_TOKEN=KGAT_sdk_check_alice \
        /usr/bin/python3 bench/kaggle-sdk-check/check.py

KAGGLE_API_ENVIRONMENT=TEST makes the SDK call http://localhost:7777/api/v1/{service}/{Method} (kaggle_env.py).
Every call must succeed; the script prints one line per call and exits 1 at the first failure.
"""
import os
import sys
import time

import requests
from kagglesdk import KaggleClient, KaggleEnv
from kagglesdk.blobs.types.blob_api_service import ApiBlobType, ApiStartBlobUploadRequest
from kagglesdk.datasets.types.dataset_api_service import (ApiCreateDatasetRequest, ApiCreateDatasetVersionRequest,
    ApiCreateDatasetVersionRequestBody, ApiDatasetNewFile, ApiGetDatasetStatusRequest, ApiUploadDirectoryInfo)
from kagglesdk.kernels.types.kernels_api_service import (ApiDeleteKernelRequest, ApiGetAcceleratorQuotaStatisticsRequest,
    ApiGetKernelRequest, ApiGetKernelSessionStatusRequest, ApiListKernelSessionOutputRequest, ApiListKernelsRequest,
    ApiSaveKernelRequest)
from kagglesdk.kernels.types.kernels_enums import KernelsListSortType, KernelsListViewType, KernelWorkerStatus
from kagglesdk.security.types.oauth_service import IntrospectTokenRequest

USER = "alice"
calls = 0


def ok(what, value):
    global calls
    calls += 1
    print(f"ok  {what}: {value}")
    return value


def upload(client, name, data):
    request = ApiStartBlobUploadRequest()
    request.type = ApiBlobType.DATASET
    request.name = name
    request.content_length = len(data)
    request.last_modified_epoch_seconds = int(time.time())
    started = client.blobs.blob_api_client.start_blob_upload(request)
    ok("StartBlobUpload", started.token)
    put = requests.put(started.create_url, data=data, headers={"Content-Type": "application/octet-stream"})
    if put.status_code not in (200, 201):
        raise SystemExit(f"PUT {name}: {put.status_code}")
    file = ApiDatasetNewFile()
    file.token = started.token
    return file


def main():
    client = KaggleClient(env=KaggleEnv.TEST, api_token=os.environ["KAGGLE_API_TOKEN"])

    request = IntrospectTokenRequest()
    request.token = os.environ["KAGGLE_API_TOKEN"]
    ok("IntrospectToken", client.security.oauth_client.introspect_token(request).username)

    quota = client.kernels.kernels_api_client.get_accelerator_quota_statistics(ApiGetAcceleratorQuotaStatisticsRequest())
    ok("GetAcceleratorQuotaStatistics", quota.gpu_quota.total_time_allowed)

    slug = f"sdk-check-{int(time.time())}"
    create = ApiCreateDatasetRequest()
    create.owner_slug = USER
    create.slug = slug
    create.title = slug
    create.license_name = "other"
    create.is_private = True
    create.files = [upload(client, "top.txt", b"top\n")]
    folder = ApiUploadDirectoryInfo()
    folder.name = "sub"
    folder.files = [upload(client, "inner.txt", b"inner\n")]
    create.directories = [folder]
    created = client.datasets.dataset_api_client.create_dataset(create)
    if created.status.lower() != "ok":
        raise SystemExit(f"CreateDataset: {created.error}")
    ok("CreateDataset", created.ref)

    status = ApiGetDatasetStatusRequest()
    status.owner_slug = USER
    status.dataset_slug = slug
    for _ in range(60):
        state = client.datasets.dataset_api_client.get_dataset_status(status).status
        if state.name == "READY":
            break
        time.sleep(0.5)
    ok("GetDatasetStatus", state.name)

    version = ApiCreateDatasetVersionRequest()
    version.owner_slug = USER
    version.dataset_slug = slug
    version.body = ApiCreateDatasetVersionRequestBody()
    version.body.version_notes = "second"
    version.body.files = [upload(client, "top.txt", b"top 2\n")]
    ok("CreateDatasetVersion", client.datasets.dataset_api_client.create_dataset_version(version).status)

    push = ApiSaveKernelRequest()
    push.slug = f"{USER}/{slug}-run"
    push.new_title = f"{slug}-run"
    push.text = "print('hello from the sdk check')\nopen('/dev/null').close()\n"
    push.language = "python"
    push.kernel_type = "script"
    push.is_private = True
    push.enable_gpu = False
    push.enable_internet = False
    push.dataset_data_sources = [f"{USER}/{slug}"]
    push.session_timeout_seconds = 600
    saved = client.kernels.kernels_api_client.save_kernel(push)
    if saved.error:
        raise SystemExit(f"SaveKernel: {saved.error}")
    ok("SaveKernel", f"{saved.ref} v{saved.version_number}")
    kernel = saved.ref.split("/")[-1]

    status = ApiGetKernelSessionStatusRequest()
    status.user_name = USER
    status.kernel_slug = kernel
    status.version_label = f"v{saved.version_number}"
    for _ in range(240):
        state = client.kernels.kernels_api_client.get_kernel_session_status(status).status
        if state in (KernelWorkerStatus.COMPLETE, KernelWorkerStatus.ERROR):
            break
        time.sleep(0.5)
    ok("GetKernelSessionStatus", state.name)

    output = ApiListKernelSessionOutputRequest()
    output.user_name = USER
    output.kernel_slug = kernel
    output.page_size = 100
    output.version_label = f"v{saved.version_number}"
    listed = client.kernels.kernels_api_client.list_kernel_session_output(output)
    ok("ListKernelSessionOutput", f"{len(listed.files or [])} files, log of {len(listed.log or '')} characters")

    get = ApiGetKernelRequest()
    get.user_name = USER
    get.kernel_slug = kernel
    ok("GetKernel", client.kernels.kernels_api_client.get_kernel(get).metadata.current_version_number)

    mine = ApiListKernelsRequest()
    mine.group = KernelsListViewType.PROFILE
    mine.sort_by = KernelsListSortType.DATE_CREATED
    mine.search = kernel
    mine.page_size = 20
    ok("ListKernels", [k.ref for k in client.kernels.kernels_api_client.list_kernels(mine).kernels])

    delete = ApiDeleteKernelRequest()
    delete.user_name = USER
    delete.kernel_slug = kernel
    ok("DeleteKernel", client.kernels.kernels_api_client.delete_kernel(delete).error_message or "deleted")
    print(f"{calls} calls of kagglesdk, all answered")


if __name__ == "__main__":
    main()
