using System.Net;
using System.Net.Http.Headers;

namespace SteelCI.Kaggle.Api;

/// <summary>
/// Downloads a signed output URL (no auth) to disk as a stream: into <c>{target}.part</c>, resumed with
/// <c>Range: bytes=N-</c> after a cut, checked against Content-Length / Content-Range, then renamed into place.
/// Memory stays flat whatever the size.
/// </summary>
public sealed class OutputDownloader(KaggleClient client)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Returns the file's size. Retries cuts and transient statuses with the client's backoff.</summary>
    public async Task<long> DownloadAsync(string url, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        var part = target + ".part";
        var size = await client.SafePipeline.ExecuteAsync(async token => await ResumeAsync(url, part, token), cancellationToken);
        File.Move(part, target, overwrite: true);
        return size;
    }

    private async Task<long> ResumeAsync(string url, string part, CancellationToken cancellationToken)
    {
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0)
            request.Headers.Range = new RangeHeaderValue(have, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(client.Options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw Cut(part, have, error);
        }
        using (response)
        {
            long total;
            var append = false;
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                var complete = response.Content.Headers.ContentRange?.Length;
                if (complete == have)
                    return have;
                File.Delete(part); // the partial file is longer than the output: start again
                throw new KaggleTransientException($"{Name(part)}: local partial file does not match the output; restarting", response.StatusCode, outcomeUnknown: false);
            }
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var range = response.Content.Headers.ContentRange;
                if (range?.From != have || range.Length is null)
                    throw new KaggleException($"{Name(part)}: the server answered range {range} to a request from byte {have}");
                total = range.Length.Value;
                append = true;
            }
            else if (response.IsSuccessStatusCode)
            {
                total = response.Content.Headers.ContentLength
                    ?? throw new KaggleException($"{Name(part)}: the download has no Content-Length, so its size cannot be checked");
            }
            else if ((int)response.StatusCode is 429 or >= 500)
                throw new KaggleTransientException($"{Name(part)}: download answered {(int)response.StatusCode}", response.StatusCode, outcomeUnknown: false,
                    RetryAfter.Parse(response.Headers.RetryAfter?.ToString(), client.Time.GetUtcNow(), client.Options.MaxRetryAfter));
            else
                throw new KaggleNotFoundException($"{Name(part)}: download refused ({(int)response.StatusCode}); the signed URL may have expired, collect the outputs again",
                    response.StatusCode);

            await using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                await body.CopyToAsync(file, BufferSize, timeout.Token);
            }
            catch (Exception error) when (error is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await file.FlushAsync(CancellationToken.None);
                throw Cut(part, file.Length, error);
            }
            if (file.Length != total)
                throw new KaggleTransientException($"{Name(part)}: got {file.Length} of {total} bytes; resuming", null, outcomeUnknown: false);
            return total;
        }
    }

    private static KaggleTransientException Cut(string part, long have, Exception error) =>
        new($"{Name(part)}: download cut at byte {have} ({error.GetType().Name}); resuming", null, outcomeUnknown: false, inner: error);

    private static string Name(string part) => Path.GetFileName(part)[..^".part".Length];
}
