namespace SteelCI.Kaggle.Api;

public sealed partial class KaggleClient
{
    internal const string KernelsService = "kernels.KernelsApiService";
    public const int MaxOutputPageSize = 500;

    /// <summary>
    /// Pushes and runs a kernel version. Never repeated when Kaggle may have acted: a
    /// <see cref="KaggleTransientException"/> with OutcomeUnknown means "check GetKernel before pushing again".
    /// The replies, as kaggle-api.md §8 records them: <c>ref</c> is <c>"/code/{owner}/{slug}"</c> (read into
    /// <see cref="SaveKernelResponse.Kernel"/> with the owner we pushed as); the session cap comes as 200 with
    /// <c>error</c> or as 400 "Bad Request: Maximum batch GPU session count of 2 reached." (both
    /// <see cref="KaggleSessionLimitException"/>); any other <c>error</c> is <see cref="KaggleRejectedException"/>; a
    /// version created without some of its inputs (the four <c>invalid*Sources</c> lists) is
    /// <see cref="KaggleInvalidSourcesException"/>: that version exists and runs, the caller deletes it.
    /// </summary>
    public async Task<SaveKernelResponse> SaveKernelAsync(SaveKernelRequest request, CancellationToken cancellationToken)
    {
        SaveKernelResponse response;
        try
        {
            response = await CallAsync<SaveKernelResponse>(KernelsService, "SaveKernel", request, safe: false, cancellationToken);
        }
        catch (KaggleBadRequestException error) when (KaggleSessionLimitException.IsSessionCap(error.Message))
        {
            throw new KaggleSessionLimitException(error.Message + " (wait for a running session to end, or use another account)", error.Status!.Value);
        }
        if (!string.IsNullOrEmpty(response.Error))
        {
            var message = $"account {Account.Name}: kernel push refused: {response.Error}";
            if (KaggleSessionLimitException.IsSessionCap(response.Error))
                throw new KaggleSessionLimitException(message + " (wait for a running session to end, or use another account)");
            throw new KaggleRejectedException(message);
        }
        var owner = request.Slug?.Contains('/') == true ? request.Slug.Split('/')[0] : await GetUsernameAsync(cancellationToken);
        var kernel = KernelRef.FromReply(response.Ref, owner);
        if (KernelRef.OtherOwner(response.Ref, owner) is { } other)
            _log.Warn($"account {Account.Name}: SaveKernel answered ref {response.Ref} (owner {other}) for a push as {owner}; using {owner}");
        response = response with { Kernel = kernel };
        var invalid = response.InvalidSources();
        if (invalid.Count > 0)
        {
            var version = response.VersionNumber ?? 1;
            throw new KaggleInvalidSourcesException(
                $"account {Account.Name}: Kaggle created {kernel} version {version} without {invalid.Count} of its inputs, " +
                $"so it would run without them: {string.Join("; ", invalid)}", kernel, version, invalid);
        }
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
