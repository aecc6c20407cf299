using System.Net;
using System.Net.Http;
using System.Text.Json;
using RestSharp;
using SteelCI.Kaggle.Credentials;

namespace SteelCI.Kaggle.Api;

/// <summary>Turns one RPC response into a JSON document or the typed exception that says what went wrong and what to do.</summary>
internal static class ResponseClassifier
{
    public static JsonElement Check(RestResponse response, string what, KaggleCredential credential, DateTimeOffset now, TimeSpan maxRetryAfter)
    {
        if (response.ResponseStatus == ResponseStatus.TimedOut)
            throw new KaggleTransientException($"{what}: no answer in time", null, outcomeUnknown: true, inner: response.ErrorException);
        if (response.StatusCode == 0)
        {
            // Refused connections never reached Kaggle; anything else (reset, truncated answer) may have.
            var refused = response.ErrorException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                && response.ErrorException.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };
            throw new KaggleTransientException($"{what}: connection failed ({Describe(response.ErrorException)})", null,
                outcomeUnknown: !refused, inner: response.ErrorException);
        }

        var body = response.Content ?? "";
        var status = response.StatusCode;
        JsonElement? document = TryParse(body);
        if ((int)status < 400 && document is { ValueKind: JsonValueKind.Object } ok
            && ok.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() >= 400)
            status = (HttpStatusCode)code.GetInt32(); // the SDK's rule: a top-level code >= 400 is an error even with 200

        if ((int)status >= 400)
            throw ForStatus(status, what, ErrorMessage(document, body), credential, response, now, maxRetryAfter);
        if (document is null)
        {
            var type = response.ContentType ?? "no content type";
            throw new KaggleTransientException($"{what}: expected JSON, got {type} ({Snippet(body)}); " +
                "a proxy or maintenance page may be in the way", status, outcomeUnknown: true);
        }
        return document.Value;
    }

    private static KaggleException ForStatus(HttpStatusCode status, string what, string message, KaggleCredential credential,
        RestResponse response, DateTimeOffset now, TimeSpan maxRetryAfter)
    {
        var code = (int)status;
        return code switch
        {
            401 => new KaggleAuthException($"{what}: {(credential is TokenCredential ? "token" : "key")} rejected (401); {credential.RenewHint}"),
            403 => new KaggleNotFoundException($"{what}: permission denied (403: {message}); the resource does not exist, " +
                "belongs to another account, was created moments ago, or needs an accelerator this account lacks", status),
            404 => new KaggleNotFoundException($"{what}: not found (404: {message})", status),
            429 => new KaggleTransientException($"{what}: rate limited (429)", status, outcomeUnknown: false,
                RetryAfter.Parse(Header(response, "Retry-After"), now, maxRetryAfter)),
            409 => new KaggleConflictException($"{what}: already exists (409: {message})"),
            408 => new KaggleTransientException($"{what}: request timeout (408)", status, outcomeUnknown: true),
            >= 500 => new KaggleTransientException($"{what}: Kaggle server error ({code}: {message})", status, outcomeUnknown: true),
            _ => new KaggleBadRequestException($"{what}: request refused ({code}: {message})", status),
        };
    }

    private static JsonElement? TryParse(string body)
    {
        var trimmed = body.TrimStart();
        if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '['))
            return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Google-style <c>{"error":{"message"}}</c>, legacy <c>{"message"}</c>, or the start of the body.</summary>
    private static string ErrorMessage(JsonElement? document, string body)
    {
        if (document is { ValueKind: JsonValueKind.Object } root)
        {
            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.String)
                    return inner.GetString()!;
                if (error.ValueKind == JsonValueKind.String)
                    return error.GetString()!;
            }
            if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                return message.GetString()!;
        }
        return Snippet(body);
    }

    internal static string Header(RestResponse response, string name) =>
        response.Headers?.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value?.ToString()
        ?? response.ContentHeaders?.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value?.ToString()
        ?? "";

    internal static string Snippet(string body)
    {
        var oneLine = string.Join(' ', body.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        if (oneLine.Length == 0)
            return "empty body";
        return oneLine.Length <= 120 ? oneLine : oneLine[..120] + "…";
    }

    private static string Describe(Exception? error) => error switch
    {
        null => "no response",
        HttpRequestException http => $"{http.HttpRequestError}: {http.Message}",
        _ => error.Message,
    };
}
