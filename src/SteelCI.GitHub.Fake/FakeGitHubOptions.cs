namespace SteelCI.GitHub.Fake;

public sealed class FakeGitHubOptions
{
    /// <summary>0 lets the operating system choose; read the result from <see cref="FakeGitHubServer.BaseUri"/>.</summary>
    public int Port { get; init; }

    /// <summary>The port of the storage origin that serves asset bytes (0: the system's choice; never the API's port).</summary>
    public int StoragePort { get; init; }

    /// <summary>When set, requests must carry it (<c>token X</c> or <c>Bearer X</c>); a wrong one gets 401, and writes
    /// without one get 401. When null, any token is accepted.</summary>
    public string? Token { get; init; }

    /// <summary>Clock for rate-limit windows, timestamps and <see cref="FakeFaults.Latency"/>, injected (a test's fake time, or the real clock from the composition root).</summary>
    public required TimeProvider Time { get; init; }

    /// <summary>Primary limit per window (GITHUB_TOKEN has 1,000/h, a personal token 5,000/h).</summary>
    public int RateLimit { get; init; } = 5000;

    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Published releases refuse asset changes, like repositories with immutable releases.</summary>
    public bool ImmutableReleases { get; init; }

    /// <summary>Keep asset bytes in files under this folder instead of memory (for multi-GiB benches).</summary>
    public string? BlobDirectory { get; init; }

    /// <summary>
    /// Permissions the token lacks (<c>actions</c>, <c>issues</c>): writes that need them get 403 "Resource not accessible
    /// by integration", as a GITHUB_TOKEN whose workflow does not grant <c>actions: write</c> / <c>issues: write</c>.
    /// </summary>
    public IReadOnlySet<string> DeniedPermissions { get; init; } = new HashSet<string>();
}
