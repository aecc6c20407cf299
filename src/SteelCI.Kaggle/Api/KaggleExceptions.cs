using System.Net;

namespace SteelCI.Kaggle.Api;

/// <summary>A Kaggle call failed. The message names the account and says what to do; it never holds a credential.</summary>
public class KaggleException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>401: the credential was refused.</summary>
public sealed class KaggleAuthException(string message) : KaggleException(message, HttpStatusCode.Unauthorized);

/// <summary>403 or 404: the resource does not exist, belongs to someone else, or is not visible yet.</summary>
public sealed class KaggleNotFoundException(string message, HttpStatusCode status) : KaggleException(message, status);

/// <summary>400: Kaggle refused the request's arguments; repeating it fails the same way.</summary>
public sealed class KaggleBadRequestException(string message, HttpStatusCode status) : KaggleException(message, status);

/// <summary>409: the thing exists already (kagglehub reads a 409 on CreateDataset as "already exists", kaggle-api.md §8).</summary>
public sealed class KaggleConflictException(string message) : KaggleException(message, HttpStatusCode.Conflict);

/// <summary>Kaggle answered 200 with an <c>error</c> field: a business refusal (invalid metadata, unknown source...).</summary>
public class KaggleRejectedException(string message, HttpStatusCode status = HttpStatusCode.OK) : KaggleException(message, status);

/// <summary>
/// "Maximum batch GPU session count of 2 reached.": the account is full; try another or wait. Kaggle says it two ways
/// (kaggle-api.md §8): 200 with <c>error</c> (what the CLI sees) and 400 "Bad Request: …" (kaggle-cli#185).
/// </summary>
public sealed class KaggleSessionLimitException(string message, HttpStatusCode status = HttpStatusCode.OK)
    : KaggleRejectedException(message, status), SteelCI.Ports.ICapacityRefusal
{
    /// <summary>The owner's own sessions per account, when Kaggle's cap refused a push while SteelCI held fewer (set by the backend).</summary>
    public IReadOnlyDictionary<string, int> OwnerSessions { get; init; } = new Dictionary<string, int>();

    /// <summary>Whether Kaggle's text is the session cap ("Maximum batch GPU session count of N reached.").</summary>
    public static bool IsSessionCap(string? text) =>
        text is not null && text.Contains("Maximum batch", StringComparison.OrdinalIgnoreCase)
        && text.Contains("session count", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The push created and started a version, but Kaggle left out inputs it listed in <c>invalid*Sources</c> (kaggle-api.md
/// §8: warnings in the CLI, the version runs without them). The message names each source and what to do about it.
/// </summary>
public sealed class KaggleInvalidSourcesException(string message, KernelRef kernel, int version, IReadOnlyList<InvalidSource> sources)
    : KaggleRejectedException(message)
{
    public KernelRef Kernel { get; } = kernel;
    public int Version { get; } = version;
    public IReadOnlyList<InvalidSource> Sources { get; } = sources;
}

/// <summary>
/// A failure a later try may not see: 429, 5xx, a timeout, a reset connection, HTML instead of JSON.
/// <see cref="OutcomeUnknown"/> is true when the request may have reached Kaggle and had its effect.
/// </summary>
public sealed class KaggleTransientException(string message, HttpStatusCode? status, bool outcomeUnknown,
    TimeSpan? retryAfter = null, Exception? inner = null) : KaggleException(message, status, inner)
{
    public bool OutcomeUnknown { get; } = outcomeUnknown;
    /// <summary>The server's Retry-After, when present and sane.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
