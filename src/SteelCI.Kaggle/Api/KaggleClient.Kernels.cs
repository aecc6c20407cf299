namespace SteelCI.Kaggle.Api;

public sealed partial class KaggleClient
{
    internal const string KernelsService = "kernels.KernelsApiService";
    public const int MaxOutputPageSize = 500;

    /// <summary>
    /// Pushes and runs a kernel version. Never repeated when Kaggle may have acted: a
    /// <see cref="KaggleTransientException"/> with OutcomeUnknown means "check GetKernel before pushing again".
    /// A 200 with <c>error</c> becomes <see cref="KaggleRejectedException"/> (or <see cref="KaggleSessionLimitException"/>).
    /// </summary>
    public async Task<SaveKernelResponse> SaveKernelAsync(SaveKernelRequest request, CancellationToken cancellationToken)
    {
        var response = await CallAsync<SaveKernelResponse>(KernelsService, "SaveKernel", request, safe: false, cancellationToken);
        if (!string.IsNullOrEmpty(response.Error))
        {
            var message = $"account {Account.Name}: kernel push refused: {response.Error}";
            if (response.Error.Contains("session count", StringComparison.OrdinalIgnoreCase))
                throw new KaggleSessionLimitException(message + " (wait for a running session to end, or use another account)");
            throw new KaggleRejectedException(message);
        }
        if (response.InvalidDatasetSources is { Count: > 0 } invalid)
            throw new KaggleRejectedException($"account {Account.Name}: kernel push refused: unknown dataset sources {string.Join(", ", invalid)}");
        if (string.IsNullOrEmpty(response.Ref))
            throw new KaggleException($"account {Account.Name}: SaveKernel answered without a ref; the API may have changed");
        return response;
    }

    /// <summary>Status of version <paramref name="version"/> (sent as versionLabel "vN"), or of the latest when null.</summary>
    public Task<KernelSessionStatus> GetKernelSessionStatusAsync(string owner, string slug, int? version, CancellationToken cancellationToken) =>
        CallAsync<KernelSessionStatus>(KernelsService, "GetKernelSessionStatus",
            new { userName = owner, kernelSlug = slug, versionLabel = Label(version) }, safe: true, cancellationToken);

    /// <summary>Every page of a version's output files, and its log (a JSON array of {stream_name,time,data}).</summary>
    public async Task<KernelSessionOutput> ListKernelSessionOutputAsync(string owner, string slug, int? version,
        CancellationToken cancellationToken, int pageSize = 100)
    {
        if (pageSize is < 1 or > MaxOutputPageSize)
            throw new ArgumentOutOfRangeException(nameof(pageSize), $"Kaggle accepts 1..{MaxOutputPageSize}");
        var files = new List<KernelOutputFile>();
        string? log = null;
        string? pageToken = null;
        var seen = new HashSet<string>();
        do
        {
            var page = await CallAsync<KernelSessionOutputPage>(KernelsService, "ListKernelSessionOutput",
                new { userName = owner, kernelSlug = slug, pageSize, pageToken, versionLabel = Label(version) }, safe: true, cancellationToken);
            files.AddRange(page.Files ?? []);
            log ??= page.Log;
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
            if (pageToken is not null && !seen.Add(pageToken))
                throw new KaggleException($"account {Account.Name}: ListKernelSessionOutput repeated page token {pageToken}");
        } while (pageToken is not null);
        return new KernelSessionOutput(files, log ?? "");
    }

    public Task<GetKernelResponse> GetKernelAsync(string owner, string slug, CancellationToken cancellationToken) =>
        CallAsync<GetKernelResponse>(KernelsService, "GetKernel", new { userName = owner, kernelSlug = slug }, safe: true, cancellationToken);

    public Task<ListKernelsResponse> ListKernelsAsync(ListKernelsRequest request, CancellationToken cancellationToken) =>
        CallAsync<ListKernelsResponse>(KernelsService, "ListKernels", request, safe: true, cancellationToken);

    public async Task DeleteKernelAsync(string owner, string slug, CancellationToken cancellationToken)
    {
        var response = await CallAsync<DeleteKernelResponse>(KernelsService, "DeleteKernel",
            new { userName = owner, kernelSlug = slug }, safe: true, cancellationToken);
        if (!string.IsNullOrEmpty(response.ErrorMessage))
            throw new KaggleRejectedException($"account {Account.Name}: delete of {owner}/{slug} refused: {response.ErrorMessage}");
    }

    private static string? Label(int? version) => version is null ? null : $"v{version}";
}
