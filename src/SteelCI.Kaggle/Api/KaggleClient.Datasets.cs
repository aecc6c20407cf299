namespace SteelCI.Kaggle.Api;

public sealed partial class KaggleClient
{
    internal const string DatasetsService = "datasets.DatasetApiService";
    internal const string BlobsService = "blobs.BlobApiService";

    /// <summary>Opens a resumable upload; safe to repeat (an unused upload session costs nothing).</summary>
    public Task<StartBlobUploadResponse> StartBlobUploadAsync(StartBlobUploadRequest request, CancellationToken cancellationToken) =>
        CallAsync<StartBlobUploadResponse>(BlobsService, "StartBlobUpload", request, safe: true, cancellationToken);

    /// <summary>Creates a dataset; an OutcomeUnknown failure means "check GetDatasetStatus before creating again".</summary>
    public async Task<CreateDatasetResponse> CreateDatasetAsync(CreateDatasetRequest request, CancellationToken cancellationToken) =>
        Checked(await CallAsync<CreateDatasetResponse>(DatasetsService, "CreateDataset", request, safe: false, cancellationToken),
            $"{request.OwnerSlug}/{request.Slug}");

    public async Task<CreateDatasetResponse> CreateDatasetVersionAsync(CreateDatasetVersionRequest request, CancellationToken cancellationToken) =>
        Checked(await CallAsync<CreateDatasetResponse>(DatasetsService, "CreateDatasetVersion", request, safe: false, cancellationToken),
            $"{request.OwnerSlug}/{request.DatasetSlug}");

    /// <summary>Processing state of a dataset's latest version; an unknown dataset is a <see cref="KaggleNotFoundException"/>.</summary>
    public Task<DatasetStatusResponse> GetDatasetStatusAsync(string owner, string slug, CancellationToken cancellationToken) =>
        CallAsync<DatasetStatusResponse>(DatasetsService, "GetDatasetStatus", new { ownerSlug = owner, datasetSlug = slug }, safe: true, cancellationToken);

    private CreateDatasetResponse Checked(CreateDatasetResponse response, string reference)
    {
        if (!string.Equals(response.Status, "ok", StringComparison.OrdinalIgnoreCase) || !string.IsNullOrEmpty(response.Error))
            throw new KaggleRejectedException($"account {Account.Name}: dataset {reference} refused: {response.Error ?? response.Status ?? "no status"}");
        return response;
    }
}
