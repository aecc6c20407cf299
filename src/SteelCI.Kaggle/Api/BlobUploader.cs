using System.Net;
using System.Net.Http.Headers;

namespace SteelCI.Kaggle.Api;

/// <summary>
/// Uploads one file as a blob: StartBlobUpload, then PUT the bytes to the resumable URL (no Kaggle auth). After a cut
/// it asks the URL how much arrived (<c>Content-Range: bytes */N</c> → 308 + <c>Range</c>) and sends the rest;
/// an expired session (404) starts over. Returns the token for CreateDataset.
/// </summary>
public sealed class BlobUploader(KaggleClient client)
{
    public async Task<string> UploadAsync(string path, string name, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        var session = default(StartBlobUploadResponse);
        var fresh = true;
        await client.SafePipeline.ExecuteAsync(async token =>
        {
            if (session is null)
            {
                session = await client.StartBlobUploadAsync(new StartBlobUploadRequest
                {
                    Name = name,
                    ContentLength = info.Length,
                    LastModifiedEpochSeconds = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds(),
                }, token);
                fresh = true;
            }
            var offset = 0L;
            if (!fresh)
            {
                var probed = await ProbeAsync(session.CreateUrl, info.Length, token);
                if (probed is null)
                {
                    session = null; // expired: a new session on the next try
                    throw new KaggleTransientException($"upload of {name}: the upload session expired; starting again", HttpStatusCode.NotFound, outcomeUnknown: false);
                }
                offset = probed.Value;
            }
            fresh = false;
            if (offset < info.Length || info.Length == 0)
                await PutAsync(session.CreateUrl, path, name, offset, info.Length, token);
        }, cancellationToken);
        return session!.Token;
    }

    /// <summary>Bytes the server holds, or null when the session is gone.</summary>
    private async Task<long?> ProbeAsync(string url, long size, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"bytes */{size}");
        using var response = await Send(request, "probe", client.Options.RequestTimeout, cancellationToken);
        switch ((int)response.StatusCode)
        {
            case 200 or 201:
                return size;
            case 308:
                var range = response.Headers.TryGetValues("Range", out var values) ? values.FirstOrDefault() : null;
                if (range is null)
                    return 0;
                var dash = range.LastIndexOf('-');
                return long.Parse(range[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture) + 1;
            case 404 or 410:
                return null;
            default:
                throw Failure(response, "probe");
        }
    }

    private async Task PutAsync(string url, string path, string name, long offset, long size, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        file.Seek(offset, SeekOrigin.Begin);
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StreamContent(file, 1 << 20) };
        request.Content.Headers.ContentLength = size - offset;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (offset > 0)
            request.Content.Headers.TryAddWithoutValidation("Content-Range", $"bytes {offset}-{size - 1}/{size}");
        using var response = await Send(request, name, client.Options.UploadTimeout(size - offset), cancellationToken);
        if ((int)response.StatusCode is 200 or 201)
        {
            client.Log.Info($"uploaded {name} ({size:N0} bytes{(offset > 0 ? $", resumed at {offset:N0}" : "")})");
            return;
        }
        if ((int)response.StatusCode == 308)
            throw new KaggleTransientException($"upload of {name}: incomplete; resuming", null, outcomeUnknown: false);
        throw Failure(response, name);
    }

    /// <summary>One PUT, given <paramref name="limit"/> (a body PUT's limit is sized to its bytes, see <see cref="KaggleClientOptions.UploadTimeout"/>).</summary>
    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, string what, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return await client.Http.SendAsync(request, timeout.Token);
        }
        catch (Exception error) when (error is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new KaggleTransientException($"upload of {what}: connection cut ({error.GetType().Name}); resuming", null, outcomeUnknown: false, inner: error);
        }
    }

    private static KaggleException Failure(HttpResponseMessage response, string what) => (int)response.StatusCode is 429 or >= 500
        ? new KaggleTransientException($"upload of {what}: {(int)response.StatusCode}; resuming", response.StatusCode, outcomeUnknown: false)
        : new KaggleException($"upload of {what} refused ({(int)response.StatusCode})", response.StatusCode);
}
