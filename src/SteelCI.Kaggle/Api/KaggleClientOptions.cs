namespace SteelCI.Kaggle.Api;

/// <summary>Where the API lives and how patiently SteelCI talks to it.</summary>
public sealed record KaggleClientOptions
{
    /// <summary>https://api.kaggle.com in production; a fake's address (optionally with an /api prefix) in tests.</summary>
    public Uri BaseUrl { get; init; } = new("https://api.kaggle.com/");
    /// <summary>One HTTP request, measured on the wall clock by the transport.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);
    /// <summary>Shortest wait for one upload PUT: kagglehub allows 600 s per request (kaggle-api.md §8).</summary>
    public TimeSpan UploadTimeoutFloor { get; init; } = TimeSpan.FromSeconds(600);
    /// <summary>The slowest uplink an upload PUT is given time for: a PUT of N bytes may take N / this, at least the floor.</summary>
    public long MinUploadBytesPerSecond { get; init; } = 256 * 1024;

    /// <summary>How long one PUT of <paramref name="bytes"/> may take: sized to the bytes, never under the floor.</summary>
    public TimeSpan UploadTimeout(long bytes)
    {
        var needed = TimeSpan.FromSeconds((double)Math.Max(0, bytes) / Math.Max(1, MinUploadBytesPerSecond));
        var floor = UploadTimeoutFloor > RequestTimeout ? UploadTimeoutFloor : RequestTimeout;
        return needed > floor ? needed : floor;
    }
    public int MaxRetries { get; init; } = 6;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>A server's Retry-After above this is capped to it (the header is not reliable).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Jitter source in [0,1); tests pin it.</summary>
    public Func<double>? Randomizer { get; init; }
    public string UserAgent { get; init; } = "SteelCI/0.1";
}

/// <summary>Line-based progress and warnings (uploads, downloads, retries, waits). Never given a secret.</summary>
public interface IKaggleLog
{
    void Info(string line);
    void Warn(string line);
}

public sealed class NullKaggleLog : IKaggleLog
{
    public static readonly NullKaggleLog Instance = new();
    public void Info(string line) { }
    public void Warn(string line) { }
}
