using SteelCI.GitHub.Fake;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// Settings from the environment and URLs: missing or malformed GitHub settings, a wrong token, an API that does not
/// answer, a Kaggle URL that is not http(s). Every token here is a canary that must never appear in the output.
/// </summary>
public static class CredentialCases
{
    private const string Canary = "ghp_canary0123456789abcdefSECRET";
    private const string KaggleCanary = "KGAT_canary_0123456789SECRET";

    private static Case GitHub(string name, int exit, Func<Sandbox, string> where, Dictionary<string, string> environment, params string[] command) =>
        new("credentials", name, exit, b => [.. command.Select(a => a.Replace("{spec}", b.Spec).Replace("{work}", b.Work))], where)
        {
            Environment = _ => environment,
        };

    private static Case Kaggle(string name, string url, string where) =>
        new("credentials", name, 2, b => ["run", b.Spec, "--backend", "kaggle", "--kaggle-url", url], _ => where)
        {
            Environment = _ => new() { ["KAGGLE_API_TOKEN"] = KaggleCanary },
        };

    private static Dictionary<string, string> Settings(string? api = null, string? repository = "team/checkpoints", string? token = Canary)
    {
        var settings = new Dictionary<string, string>();
        if (api is not null) settings["GITHUB_API_URL"] = api;
        if (repository is not null) settings["GITHUB_REPOSITORY"] = repository;
        if (token is not null) settings["STEELCI_GITHUB_TOKEN"] = token;
        return settings;
    }

    public static IEnumerable<Case> All() =>
    [
        Kaggle("--kaggle-url notaurl", "notaurl", "--kaggle-url 'notaurl' is not an http(s) URL"),
        Kaggle("--kaggle-url ftp://", "ftp://example.com/api", "--kaggle-url 'ftp://example.com/api' is not an http(s) URL"),
        Kaggle("--kaggle-url without a host", "http://", "--kaggle-url 'http://'"),
        Kaggle("--kaggle-url a relative path", "api/v1", "--kaggle-url 'api/v1'"),
        new("credentials", "KAGGLE_API_TOKEN naming a file that does not exist", 2,
            b => ["run", b.Spec, "--backend", "kaggle", "--kaggle-url", "http://127.0.0.1:9/"],
            _ => "$KAGGLE_API_TOKEN names the file /no/such/file, which does not exist")
        {
            Environment = _ => new() { ["KAGGLE_API_TOKEN"] = "/no/such/file" },
        },
        GitHub("store github without GITHUB_REPOSITORY", 2, _ => "GITHUB_REPOSITORY", Settings(repository: null), "run", "{spec}", "--store", "github"),
        GitHub("GITHUB_REPOSITORY without owner/", 2, _ => "GITHUB_REPOSITORY", Settings(repository: "checkpoints"), "run", "{spec}", "--store", "github"),
        GitHub("store github without a token", 2, _ => "GITHUB_TOKEN", Settings(token: null), "run", "{spec}", "--store", "github"),
        GitHub("a token with a line break", 2, _ => "token", Settings(token: "ghp_canary\nSECRET"), "run", "{spec}", "--store", "github"),
        GitHub("GITHUB_API_URL notaurl", 2, _ => "GITHUB_API_URL 'notaurl' is not an http(s) URL", Settings(api: "notaurl"), "run", "{spec}", "--store", "github"),
        GitHub("GITHUB_API_URL ftp://", 2, _ => "GITHUB_API_URL 'ftp://example.com'", Settings(api: "ftp://example.com"), "run", "{spec}", "--store", "github"),
        GitHub("download from github without settings", 2, _ => "GITHUB_REPOSITORY", Settings(repository: null),
            "download", "{spec}", "--store", "github", "--stage", "s1", "--output", "{work}/out"),
        GitHub("status --store github without settings", 2, _ => "GITHUB_REPOSITORY", Settings(repository: null), "status", "{spec}", "--store", "github"),
        GitHub("logs --store github without settings", 2, _ => "GITHUB_REPOSITORY", Settings(repository: null), "logs", "s1", "{spec}", "--store", "github"),
        GitHub("a GitHub API on a closed port (infrastructure, after its retries)", 3, _ => "[GitHub API http://127.0.0.1:9]",
            Settings(api: "http://127.0.0.1:9"), "download", "{spec}", "--store", "github", "--stage", "s1", "--output", "{work}/out"),
        new("credentials", "a wrong GitHub token", 2, b => ["download", b.Spec, "--store", "github", "--stage", "s1", "--output", Path.Combine(b.Work, "out")],
            _ => "refused the token")
        {
            Setup = b =>
            {
                var server = FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "the-right-one", Time = TimeProvider.System }).GetAwaiter().GetResult();
                b.Items["github"] = server;
                b.Keep(new Disposer(() => server.DisposeAsync().AsTask().GetAwaiter().GetResult()));
            },
            Environment = b => Settings(api: ((FakeGitHubServer)b.Items["github"]).ApiUri.ToString(), token: Canary),
        },
    ];

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
