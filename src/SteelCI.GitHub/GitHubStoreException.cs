namespace SteelCI.GitHub;

/// <summary>A failure at the GitHub boundary, with a message that says what went wrong and what to do. Never holds the token.</summary>
public class GitHubStoreException : Exception
{
    public GitHubStoreException(string message) : base(message)
    {
    }

    public GitHubStoreException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>A downloaded file or part whose hash or size differs from what the release's manifest promises.</summary>
public sealed class ChecksumMismatchException(string message) : GitHubStoreException(message), Ports.IReleaseDamage;

/// <summary>An HTTP answer from a transfer that may succeed when repeated (rate limits, 5xx, cut connections).</summary>
internal sealed class RetryableHttpException(string message, int status, TimeSpan? retryAfter, DateTimeOffset? reset, int? remaining)
    : Exception(message)
{
    public int Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public DateTimeOffset? Reset { get; } = reset;
    public int? Remaining { get; } = remaining;
}
