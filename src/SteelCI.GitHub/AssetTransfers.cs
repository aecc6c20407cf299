using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SteelCI.Hashing;

namespace SteelCI.GitHub;

/// <summary>
/// Asset bytes over a plain <see cref="HttpClient"/> (Octokit buffers uploads in memory): uploads stream a file window to
/// the release's expanded <c>upload_url</c>; downloads ask the asset API URL for <c>application/octet-stream</c> and follow
/// its redirect to the storage host themselves, without the Authorization header (the storage refuses a second auth).
/// The client must not follow redirects itself; <see cref="GitHubArtifactStore.CreateTransferClient"/> makes one.
/// </summary>
internal sealed class AssetTransfers(HttpClient http, GitHubStoreOptions options)
{
    private const string ApiVersion = "2022-11-28";
    private static readonly ProductInfoHeaderValue UserAgent = new("SteelCI", typeof(AssetTransfers).Assembly.GetName().Version?.ToString(3) ?? "0");

    public async Task<UploadedAsset> UploadAsync(string uploadUrlTemplate, IndexedPartSource source, CancellationToken cancellationToken)
    {
        var what = $"upload of asset {source.Asset}";
        var brace = uploadUrlTemplate.IndexOf('{');
        var url = (brace < 0 ? uploadUrlTemplate : uploadUrlTemplate[..brace]) + "?name=" + Uri.EscapeDataString(source.Asset);
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        Authorize(request, "application/vnd.github+json");
        var body = source.Open();
        request.Content = new StreamContent(body, 1 << 20);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Content.Headers.ContentLength = source.Bytes;
        HttpResponseMessage sent;
        try
        {
            sent = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException error) when (Changed(error) is { } changed)
        {
            // The part's bytes are not the verified ones: the upload was stopped short; not a connection to retry.
            throw new ChangedBytesException(changed.Message);
        }
        using var response = sent;
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
            throw new AssetExistsException($"{what}: the release already has an asset of that name");
        if (response.StatusCode != HttpStatusCode.Created)
            throw await GitHubCalls.FailureAsync(what, response, cancellationToken);
        await using var json = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(json, cancellationToken: cancellationToken);
        var root = document.RootElement;
        return new UploadedAsset(root.GetProperty("id").GetInt32(), root.GetProperty("name").GetString()!,
            root.TryGetProperty("state", out var state) ? state.GetString() ?? "" : "", root.GetProperty("size").GetInt64());
    }

    private static ChangedBytesException? Changed(Exception? error) =>
        error is null ? null : error as ChangedBytesException ?? Changed(error.InnerException);

    /// <summary>The asset's bytes from <paramref name="from"/> on: 206 when the server honoured the range, 200 when it sent all.</summary>
    public async Task<HttpResponseMessage> OpenDownloadAsync(string assetApiUrl, string asset, long from, CancellationToken cancellationToken)
    {
        var what = $"download of asset {asset}";
        using var request = new HttpRequestMessage(HttpMethod.Get, assetApiUrl);
        Authorize(request, "application/octet-stream");
        if (from > 0)
            request.Headers.Range = new RangeHeaderValue(from, null);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        for (var hops = 0; IsRedirect(response.StatusCode); hops++)
        {
            var location = response.Headers.Location ?? throw new GitHubStoreException($"{what}: a redirect without a Location");
            var target = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            response.Dispose();
            if (hops >= 3)
                throw new GitHubStoreException($"{what}: too many redirects");
            using var storage = new HttpRequestMessage(HttpMethod.Get, target); // no Authorization: the storage host refuses it
            storage.Headers.UserAgent.Add(UserAgent);
            if (from > 0)
                storage.Headers.Range = new RangeHeaderValue(from, null);
            response = await http.SendAsync(storage, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.PartialContent)
            return response;
        using (response)
            throw await GitHubCalls.FailureAsync(what, response, cancellationToken);
    }

    /// <summary>
    /// A small asset (a manifest, an index, a state file) read whole: refused when it is larger than
    /// <paramref name="limit"/> bytes ("{what}: N bytes is too large for {purpose}"), an IOException when fewer bytes came.
    /// </summary>
    public async Task<byte[]> ReadWholeAsync(Octokit.ReleaseAsset asset, long limit, string what, string purpose, CancellationToken cancellationToken)
    {
        if (asset.Size > limit)
            throw new GitHubStoreException($"{what}: {asset.Size} bytes is too large for {purpose}");
        using var response = await OpenDownloadAsync(asset.Url, asset.Name, 0, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length != asset.Size)
            throw new IOException($"asset {asset.Name}: received {bytes.Length} of {asset.Size} bytes");
        return bytes;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.Found or HttpStatusCode.MovedPermanently
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect or HttpStatusCode.SeeOther;

    private void Authorize(HttpRequestMessage request, string accept)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        request.Headers.Add("X-GitHub-Api-Version", ApiVersion);
    }
}

internal sealed record UploadedAsset(int Id, string Name, string State, long Size);

/// <summary>One asset to upload: a window of a file, or bytes in memory (index, manifest).</summary>
internal sealed record IndexedPartSource(string Asset, long Bytes, Func<Stream> Open);

internal sealed class AssetExistsException(string message) : Exception(message);
