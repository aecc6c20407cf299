using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SteelCI.Kaggle.Api;

/// <summary>One line of a kernel's log as Kaggle sends it: <c>{stream_name, time, data}</c>; <see cref="Live"/> when it came
/// as a server-sent event (the session was running), not from the stored log of an ended session.</summary>
public sealed record KernelLogEvent(string Stream, double Time, string Data)
{
    public bool Live { get; init; }
}

/// <summary>How a follow ended.</summary>
public enum LogFollowEnd { Ended, GaveUp }

/// <summary>
/// Kaggle's live log (<c>GET {base}v1/kernels/logs/stream/{owner}/{slug}</c>, read as the official CLI's
/// <c>kernels_logs_stream</c> reads it, kaggle-api.md §2.5 and §8): while the session runs, server-sent events
/// <c>data: {json}</c> ending with <c>data: END_OF_LOG</c>; once it has ended, one JSON array. Every connection replays
/// from the start, and the service's load balancer drops idle streams every few minutes, so <see cref="FollowAsync"/>
/// reconnects and skips the events it has already handed on, as the CLI does (by count).
/// <paramref name="http"/>: the client for the stream (default: the account's); a stream stays open for the whole
/// session, so one without an overall timeout suits it (a cut by a timeout is only a reconnect).
/// </summary>
public sealed class KernelLogStream(KaggleClient client, HttpClient? http = null)
{
    public const string EndSentinel = "END_OF_LOG";

    /// <summary>The CLI gives up after this many reconnects in a row that brought nothing new.</summary>
    public int MaxFailuresWithoutProgress { get; init; } = 5;

    /// <summary>The CLI waits a second before it reconnects.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>One connection's events, from the start of the log. A dropped connection surfaces as an <see cref="IOException"/>
    /// or <see cref="HttpRequestException"/>; an unknown or foreign kernel as <see cref="KaggleNotFoundException"/>.</summary>
    public async IAsyncEnumerable<KernelLogEvent> ReadAsync(string owner, string slug, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var baseUrl = client.Options.BaseUrl.AbsoluteUri.TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/v1/kernels/logs/stream/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(slug)}");
        request.Headers.TryAddWithoutValidation("Authorization", client.Account.Credential.AuthorizationHeader());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        using var response = await (http ?? client.Http).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var name = $"account {client.Account.Name}: log of {owner}/{slug}";
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                throw new KaggleAuthException($"{name}: token rejected (401); renew it at https://www.kaggle.com/settings");
            case HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                throw new KaggleNotFoundException($"{name}: Permission 'kernels.get' was denied (a wrong slug, or not this account's kernel)", response.StatusCode);
            case >= HttpStatusCode.BadRequest:
                throw new HttpRequestException($"{name}: HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "";
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        if (!contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            // The session has ended: the stored log, one JSON array of the same events.
            foreach (var entry in ParseArray(await reader.ReadToEndAsync(cancellationToken)))
                yield return entry;
            yield break;
        }
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
                continue;
            var payload = line["data:".Length..].TrimStart();
            if (payload == EndSentinel)
                yield break;
            yield return ParseEvent(payload) with { Live = true };
        }
        throw new IOException($"{name}: the stream ended without {EndSentinel}");
    }

    /// <summary>
    /// Hands every event of the log to <paramref name="onEvent"/> once, in order, reconnecting after a drop (the replayed
    /// start is skipped); ends when the log ends, or gives up after <see cref="MaxFailuresWithoutProgress"/> reconnects
    /// in a row without a new event. Waits run on the client's TimeProvider.
    /// </summary>
    public async Task<LogFollowEnd> FollowAsync(string owner, string slug, Func<KernelLogEvent, Task> onEvent, CancellationToken cancellationToken)
    {
        var seen = 0;
        var failures = 0;
        while (true)
        {
            var before = seen;
            try
            {
                var index = 0;
                await foreach (var entry in ReadAsync(owner, slug, cancellationToken))
                {
                    if (index++ < seen)
                        continue;
                    seen = index;
                    await onEvent(entry);
                }
                return LogFollowEnd.Ended;
            }
            catch (Exception error) when (error is IOException or HttpRequestException { StatusCode: null or >= HttpStatusCode.InternalServerError })
            {
                failures = seen == before ? failures + 1 : 0;
                if (failures >= MaxFailuresWithoutProgress)
                {
                    client.Log.Warn($"account {client.Account.Name}: the log stream of {owner}/{slug} failed {failures} times in a row with nothing new ({error.Message}); giving up");
                    return LogFollowEnd.GaveUp;
                }
                if (failures > 1) // the load balancer's drop is the common case: one reconnect is not news
                    client.Log.Info($"account {client.Account.Name}: the log stream of {owner}/{slug} was cut ({error.Message}); reconnecting");
                await Task.Delay(ReconnectDelay, client.Time, cancellationToken);
            }
        }
    }

    private static KernelLogEvent ParseEvent(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return ToEvent(document.RootElement) ?? new KernelLogEvent("", 0, json);
        }
        catch (JsonException)
        {
            return new KernelLogEvent("", 0, json); // the CLI keeps an unparsable payload as the line itself
        }
    }

    private static IEnumerable<KernelLogEvent> ParseArray(string body) =>
        ParseLog(body) ?? body.Split('\n').Where(l => l.Length > 0).Select(l => new KernelLogEvent("", 0, l + "\n")).ToList();

    /// <summary>
    /// Kaggle's log as JSON (an array of <c>{stream_name, time, data}</c>, or one such object); null when it is not
    /// JSON at all. Used by the stream and by the log that ListKernelSessionOutput returns.
    /// </summary>
    public static IReadOnlyList<KernelLogEvent>? ParseLog(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            return items.Select(ToEvent).OfType<KernelLogEvent>().ToList();
        }
    }

    private static KernelLogEvent? ToEvent(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return null;
        var stream = element.TryGetProperty("stream_name", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
        var time = element.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : 0;
        var data = element.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
        return new KernelLogEvent(stream, time, data);
    }
}
