using System.Globalization;
using System.Net;
using Octokit;
using Polly;
using Polly.Retry;

namespace SteelCI.GitHub;

/// <summary>
/// Runs every GitHub request with github-api.md §1.7's rules: on 403/429 wait <c>retry-after</c> if given, else until
/// <c>x-ratelimit-reset</c> when <c>x-ratelimit-remaining</c> is 0, else back off exponentially from 60 s; retry 5xx and
/// dropped connections with short back-off; keep mutations serial and at least <see cref="GitHubStoreOptions.MinMutationInterval"/>
/// apart. Retries run on a Polly pipeline; all waits are on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class GitHubCalls(GitHubStoreOptions options, TimeProvider time, Func<RateLimit?> lastRateLimit)
{
    private readonly SemaphoreSlim mutations = new(1, 1);
    private DateTimeOffset lastMutation = DateTimeOffset.MinValue;

    public Task<T> ReadAsync<T>(string what, Func<int, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        RunAsync(what, mutation: false, call, cancellationToken);

    public async Task<T> WriteAsync<T>(string what, Func<int, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await mutations.WaitAsync(cancellationToken);
        try
        {
            return await RunAsync(what, mutation: true, call, cancellationToken);
        }
        finally
        {
            mutations.Release();
        }
    }

    public Task WriteAsync(string what, Func<int, CancellationToken, Task> call, CancellationToken cancellationToken) =>
        WriteAsync<bool>(what, async (attempt, ct) => { await call(attempt, ct); return true; }, cancellationToken);

    /// <summary>
    /// One call on a Polly retry pipeline: <see cref="Classify"/> decides whether an answer is worth repeating and its
    /// delay (retry-after, the rate-limit reset, or back-off); the pipeline waits on the injected clock. An answer
    /// that would need one attempt too many or a wait over <see cref="GitHubStoreOptions.MaxWait"/> ends the call.
    /// </summary>
    private async Task<T> RunAsync<T>(string what, bool mutation, Func<int, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var waits = new AnnouncingTimeProvider(time);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = waits }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } error && !cancellationToken.IsCancellationRequested
                && attempt < options.MaxAttempts && Classify(error, attempt) is { } retry && retry.Delay <= options.MaxWait),
            MaxRetryAttempts = Math.Max(1, options.MaxAttempts - 1),
            UseJitter = false,
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Classify(args.Outcome.Exception!, attempt)!.Delay),
            OnRetry = args =>
            {
                var reason = $"{what}: {Classify(args.Outcome.Exception!, attempt)!.Reason}";
                waits.AnnounceNextTimer(() => Announce(args.RetryDelay, reason));
                return ValueTask.CompletedTask;
            },
        }).Build();
        try
        {
            return await pipeline.ExecuteAsync(async ct =>
            {
                attempt++;
                await WaitForBudgetAsync(what, ct);
                if (mutation)
                    await SpaceMutationAsync(what, ct);
                try
                {
                    return await call(attempt, ct);
                }
                finally
                {
                    if (mutation)
                        lastMutation = time.GetUtcNow();
                }
            }, cancellationToken);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested && Classify(error, attempt) is { } retry)
        {
            if (attempt >= options.MaxAttempts)
                throw new GitHubStoreException($"{what}: gave up after {attempt} attempts; last answer: {retry.Reason}", error);
            throw new GitHubStoreException($"{what}: {retry.Reason}; the wait of {retry.Delay} exceeds the {options.MaxWait} allowed. Try again later.", error);
        }
    }

    /// <summary>Octokit remembers the last rate-limit headers: when the budget is spent, wait for the reset before asking.</summary>
    private async Task WaitForBudgetAsync(string what, CancellationToken cancellationToken)
    {
        if (lastRateLimit() is { Remaining: 0 } limit && limit.Reset > time.GetUtcNow())
        {
            var wait = limit.Reset - time.GetUtcNow() + TimeSpan.FromSeconds(1);
            if (wait <= options.MaxWait)
                await WaitAsync(wait, $"{what}: primary rate limit spent until {limit.Reset:u}", cancellationToken);
        }
    }

    private async Task SpaceMutationAsync(string what, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - lastMutation;
        if (since < options.MinMutationInterval)
            await WaitAsync(options.MinMutationInterval - since, $"{what}: spacing writes", cancellationToken);
    }

    public async Task WaitAsync(TimeSpan delay, string reason, CancellationToken cancellationToken)
    {
        var wait = Task.Delay(delay, time, cancellationToken);
        Announce(delay, reason);
        await wait;
    }

    /// <summary>Tells the log and <see cref="GitHubStoreOptions.Waiting"/> of a wait whose timer is armed.</summary>
    private void Announce(TimeSpan delay, string reason)
    {
        options.Log?.Invoke($"waiting {delay.TotalSeconds:0.#} s: {reason}");
        options.Waiting?.Invoke(delay, reason);
    }

    internal sealed record Retry(TimeSpan Delay, string Reason);

    /// <summary>How long to wait before trying again, or null when the error is not worth repeating.</summary>
    internal Retry? Classify(Exception error, int attempt)
    {
        var backoff = TimeSpan.FromSeconds(60 * Math.Pow(2, attempt - 1));
        var shortBackoff = TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
        var now = time.GetUtcNow();
        switch (error)
        {
            case RateLimitExceededException primary:
                return new Retry(Max(primary.Reset - now + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), $"primary rate limit exceeded, resets {primary.Reset:u}");
            case SecondaryRateLimitExceededException secondary:
                return new Retry(RetryAfter(secondary.HttpResponse) ?? backoff, "secondary rate limit (403)");
            case AbuseException abuse:
                return new Retry(abuse.RetryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : backoff, "abuse detection (403)");
            case ApiException api when (int)api.StatusCode is 403 or 429:
                if (RetryAfter(api.HttpResponse) is { } after)
                    return new Retry(after, $"rate limited ({(int)api.StatusCode})");
                if (Header(api.HttpResponse, "x-ratelimit-remaining") == "0" && ResetOf(Header(api.HttpResponse, "x-ratelimit-reset")) is { } reset)
                    return new Retry(Max(reset - now + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), $"primary rate limit ({(int)api.StatusCode})");
                return (int)api.StatusCode == 429 ? new Retry(backoff, "rate limited (429)") : null;
            case ApiException api when (int)api.StatusCode >= 500:
                return new Retry(shortBackoff, $"server error {(int)api.StatusCode}");
            case RetryableHttpException http when http.Status is 403 or 429:
                if (http.RetryAfter is { } wait)
                    return new Retry(wait, $"rate limited ({http.Status})");
                if (http.Remaining == 0 && http.Reset is { } httpReset)
                    return new Retry(Max(httpReset - now + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), $"primary rate limit ({http.Status})");
                return new Retry(backoff, $"rate limited ({http.Status})");
            case RetryableHttpException http:
                return new Retry(shortBackoff, http.Message);
            case HttpRequestException or IOException:
                return new Retry(shortBackoff, $"connection failed ({error.GetType().Name})");
            case TaskCanceledException:
                return new Retry(shortBackoff, "request timed out");
            default:
                return null;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string? Header(IResponse? response, string name) =>
        response?.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static TimeSpan? RetryAfter(IResponse? response) =>
        int.TryParse(Header(response, "retry-after"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

    internal static DateTimeOffset? ResetOf(string? epochSeconds) =>
        long.TryParse(epochSeconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    /// <summary>Turns a non-success transfer answer into the exception <see cref="Classify"/> understands.</summary>
    internal static async Task<Exception> FailureAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = "";
        if (response.Content.Headers.ContentLength is null or < 64 * 1024)
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        string? Get(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        if (status is 403 or 429 || status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var remaining = int.TryParse(Get("x-ratelimit-remaining"), out var r) ? r : (int?)null;
            if (status == 403 && retryAfter is null && remaining != 0 && !body.Contains("rate limit", StringComparison.OrdinalIgnoreCase))
                return new GitHubStoreException($"{what}: 403 Forbidden. Check that the token may write releases (contents: write).");
            return new RetryableHttpException($"{what}: HTTP {status}", status, retryAfter, ResetOf(Get("x-ratelimit-reset")), remaining);
        }
        return status switch
        {
            401 => new GitHubStoreException($"{what}: 401 Unauthorized. The token is missing, expired or wrong."),
            404 => new GitHubStoreException($"{what}: 404 Not Found. Check the repository name and that the token can see it."),
            _ => new GitHubStoreException($"{what}: HTTP {status} {response.ReasonPhrase}"),
        };
    }
}
