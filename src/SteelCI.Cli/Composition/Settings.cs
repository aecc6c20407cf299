using SteelCI.GitHub;

namespace SteelCI.Cli;

/// <summary>
/// Settings from options and the environment, checked before anything runs: a wrong one is a
/// <see cref="UsageException"/> (exit 2) naming the option or variable and the value, never a crash or an outage.
/// </summary>
public static class Settings
{
    /// <summary>The Kaggle API's base URL from --kaggle-url (default https://api.kaggle.com/): an absolute http(s) URL.</summary>
    public static Uri KaggleBaseUrl(string? given) => given is null ? new Uri("https://api.kaggle.com/") : HttpUrl(given, "--kaggle-url", "https://api.kaggle.com/");

    /// <summary>The GitHub store's settings (GITHUB_REPOSITORY, GITHUB_API_URL, a token); a missing or malformed one is exit 2.</summary>
    public static GitHubStoreOptions GitHub(Workspace workspace, Action<string>? log = null)
    {
        if (Environment.GetEnvironmentVariable("GITHUB_API_URL") is { Length: > 0 } url)
            HttpUrl(url, "GITHUB_API_URL", "https://api.github.com");
        GitHubStoreOptions options;
        try
        {
            options = GitHubStoreOptions.FromEnvironment(Path.Combine(workspace.Root, "github-cache"), log: log);
        }
        catch (GitHubStoreException error)
        {
            throw new UsageException($"store github: {error.Message}");
        }
        if (options.Token.Any(char.IsControl))
            throw new UsageException("store github: the token (STEELCI_GITHUB_TOKEN, GITHUB_TOKEN or GH_TOKEN) holds a line break or another " +
                "control character; set it to the token alone");
        return options;
    }

    /// <summary>The GitHub API URL the store talks to, for messages (never holds the token).</summary>
    public static string GitHubApi => Environment.GetEnvironmentVariable("GITHUB_API_URL") is { Length: > 0 } url ? url : "https://api.github.com";

    private static Uri HttpUrl(string value, string what, string example)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw new UsageException($"{what} '{value}' is not an http(s) URL; expected one such as {example}");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
