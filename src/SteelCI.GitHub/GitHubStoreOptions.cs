namespace SteelCI.GitHub;

/// <summary>
/// Where and how the GitHub store keeps releases. Holds the token: it is never printed (<see cref="ToString"/> leaves it
/// out) and never appears in a log line or exception message.
/// </summary>
public sealed class GitHubStoreOptions
{
    /// <summary>GitHub refuses assets of 2 GiB and more; parts stay well below.</summary>
    public const long DefaultPartSize = 1900L * 1024 * 1024;

    public required string Owner { get; init; }

    public required string Repository { get; init; }

    /// <summary>REST base used as given (no <c>api/v3</c> is appended): https://api.github.com/,
    /// https://HOST/api/v3/ for GitHub Enterprise Server, https://api.SUBDOMAIN.ghe.com/, or a fake's ApiUri.</summary>
    public Uri ApiUrl { get; init; } = new("https://api.github.com/");

    /// <summary>GITHUB_TOKEN in Actions (contents: write) or a personal access token.</summary>
    public required string Token { get; init; }

    /// <summary>Finished downloads land in {CacheDirectory}/{tag}; interrupted ones resume from .partial-{tag}.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Files larger than this are split into parts <c>NAME.partNNN</c>; tests use tiny parts.</summary>
    public long PartSize { get; init; } = DefaultPartSize;

    /// <summary>Zip level for the one asset that packs small files where a release would pass 1000 assets: 0 stores
    /// (stage outputs are mostly PNG, JPEG and checkpoints, which deflate barely shrinks: 3 % on the demo's JPEG dataset for 5x the packing time; docs/github.md).</summary>
    public int PackLevel { get; init; }

    /// <summary>Tries per request before giving up (rate-limit waits and transient failures count).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>GitHub asks for at least 1 s between content-creating requests.</summary>
    public TimeSpan MinMutationInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest single wait the store accepts (a primary-limit reset can be up to an hour away).</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(65);

    /// <summary><see cref="GitHubArtifactStore.RecoverAsync"/> deletes SteelCI drafts older than this.</summary>
    public TimeSpan StaleDraftAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Commit a new tag points at; null means the default branch (what GITHUB_TOKEN may target).</summary>
    public string? TargetCommitish { get; init; }

    /// <summary>Progress and waits as plain lines; never receives the token.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Called when the store starts waiting (rate limit, retry back-off), after the timer is armed.</summary>
    public Action<TimeSpan, string>? Waiting { get; init; }

    /// <summary>
    /// Reads GITHUB_REPOSITORY (owner/name), GITHUB_API_URL (optional) and the token from STEELCI_GITHUB_TOKEN,
    /// GITHUB_TOKEN or GH_TOKEN, in that order. Throws naming the variable that is missing.
    /// </summary>
    public static GitHubStoreOptions FromEnvironment(string cacheDirectory, Func<string, string?>? getVariable = null, Action<string>? log = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var repository = getVariable("STEELCI_GITHUB_REPOSITORY") ?? getVariable("GITHUB_REPOSITORY");
        if (repository is null || repository.Split('/') is not [{ Length: > 0 } owner, { Length: > 0 } name])
            throw new GitHubStoreException("Set GITHUB_REPOSITORY (or STEELCI_GITHUB_REPOSITORY) to owner/name of the repository that keeps the checkpoint releases.");
        var token = new[] { "STEELCI_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN" }.Select(getVariable).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
        if (token is null)
            throw new GitHubStoreException("Set GITHUB_TOKEN (in Actions, with permissions: contents: write) or a personal access token in STEELCI_GITHUB_TOKEN.");
        var api = getVariable("GITHUB_API_URL") is { Length: > 0 } url ? new Uri(url.TrimEnd('/') + "/") : new Uri("https://api.github.com/");
        // GitHub asks for about a second between writes; a fake or an Enterprise server may allow less.
        var spacing = getVariable("STEELCI_GITHUB_WRITE_SPACING_MS") is { Length: > 0 } ms
            ? int.TryParse(ms, out var value) && value >= 0
                ? TimeSpan.FromMilliseconds(value)
                : throw new GitHubStoreException($"STEELCI_GITHUB_WRITE_SPACING_MS must be a whole number of milliseconds, got '{ms}'")
            : TimeSpan.FromSeconds(1);
        return new GitHubStoreOptions
        {
            Owner = owner, Repository = name, Token = token.Trim(), ApiUrl = api, CacheDirectory = cacheDirectory, Log = log,
            MinMutationInterval = spacing,
        };
    }

    public override string ToString() => $"github {Owner}/{Repository} at {ApiUrl}";
}
