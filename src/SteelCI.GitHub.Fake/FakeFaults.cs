namespace SteelCI.GitHub.Fake;

/// <summary>
/// Switches for the failures the real service shows. Each one-shot switch arms a count of requests it applies to;
/// setting it again replaces the previous arming. All members are thread-safe.
/// </summary>
public sealed class FakeFaults
{
    private readonly Lock gate = new();
    private int secondaryCount;
    private int secondaryStatus = 403;
    private int secondaryRetryAfter = 60;
    private string? secondaryPath;
    private int failUploads;
    private double failUploadKeep = 0.5;
    private int cutDownloads;
    private long cutAfterBytes;
    private string? cutAsset;

    /// <summary>A delay before every API, upload and storage response, measured on the fake's TimeProvider.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The next <paramref name="count"/> API/upload requests (whose path contains <paramref name="pathContains"/>)
    /// answer a secondary rate limit: 403 or 429 with <c>retry-after</c>.</summary>
    public void SecondaryLimit(int count, int status = 403, int retryAfterSeconds = 60, string? pathContains = null)
    {
        if (status is not (403 or 429))
            throw new ArgumentOutOfRangeException(nameof(status), "GitHub answers secondary limits with 403 or 429");
        lock (gate) (secondaryCount, secondaryStatus, secondaryRetryAfter, secondaryPath) = (count, status, retryAfterSeconds, pathContains);
    }

    /// <summary>The next <paramref name="count"/> uploads read the whole body, keep only a fraction of it in an asset left in
    /// state <c>starter</c>, and answer 502, as an upstream failure at GitHub does.</summary>
    public void FailUploads(int count, double keepFraction = 0.5)
    {
        lock (gate) (failUploads, failUploadKeep) = (count, keepFraction);
    }

    /// <summary>The next <paramref name="count"/> storage downloads (of <paramref name="assetName"/>, when given) send
    /// <paramref name="afterBytes"/> bytes and drop the connection.</summary>
    public void CutDownloads(int count, long afterBytes, string? assetName = null)
    {
        lock (gate) (cutDownloads, cutAfterBytes, cutAsset) = (count, afterBytes, assetName);
    }

    internal (int Status, int RetryAfter)? TakeSecondary(string path)
    {
        lock (gate)
        {
            if (secondaryCount <= 0 || (secondaryPath is not null && !path.Contains(secondaryPath, StringComparison.Ordinal)))
                return null;
            secondaryCount--;
            return (secondaryStatus, secondaryRetryAfter);
        }
    }

    internal double? TakeUploadFailure()
    {
        lock (gate)
        {
            if (failUploads <= 0)
                return null;
            failUploads--;
            return failUploadKeep;
        }
    }

    internal long? TakeDownloadCut(string assetName)
    {
        lock (gate)
        {
            if (cutDownloads <= 0 || (cutAsset is not null && cutAsset != assetName))
                return null;
            cutDownloads--;
            return cutAfterBytes;
        }
    }
}
