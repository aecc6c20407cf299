using System.CommandLine;
using System.Text;
using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary><c>steelci doctor</c>'s checks of GitHub: token, scopes, access to the repository.</summary>
public static partial class DoctorCommand
{
    private static async Task<IReadOnlyList<Finding>> GitHubAsync(Workspace workspace, bool required, CancellationToken cancellationToken)
    {
        var level = required ? Level.Fail : Level.Warn;
        GitHubStoreOptions options;
        try
        {
            options = GitHubStoreOptions.FromEnvironment(Path.Combine(workspace.Root, "github-cache"));
        }
        catch (GitHubStoreException error)
        {
            return [new("github", "configuration", level, error.Message, "export GITHUB_REPOSITORY=owner/name and a token (STEELCI_GITHUB_TOKEN or GITHUB_TOKEN)")];
        }
        var repository = $"{options.Owner}/{options.Repository}";
        var client = GitHubArtifactStore.CreateClient(options);
        try
        {
            var repo = await client.Repository.Get(options.Owner, options.Repository).WaitAsync(cancellationToken);
            var scopes = client.GetLastApiInfo()?.OauthScopes;
            var scopeText = scopes is { Count: > 0 } ? $"scopes {string.Join(", ", scopes)}" : "no classic scopes (fine-grained or Actions token)";
            var push = repo.Permissions?.Push ?? false;
            return push
                ? [new("github", repository, Level.Ok, $"token valid, can write releases ({scopeText})")]
                : [new("github", repository, level, $"token valid but cannot write to {repository} ({scopeText}); publishing releases will be refused",
                    "in Actions: permissions: contents: write; a classic token needs the repo scope, a fine-grained one Contents: read and write")];
        }
        catch (Octokit.AuthorizationException)
        {
            return [new("github", repository, level, "the token was refused (401)",
                "create a new token at https://github.com/settings/tokens and set STEELCI_GITHUB_TOKEN")];
        }
        catch (Octokit.NotFoundException)
        {
            return [new("github", repository, level, $"{repository} is not visible to this token (404)",
                "check GITHUB_REPOSITORY; give the token access to the repository (fine-grained tokens list their repositories)")];
        }
        catch (Exception error) when (error is Octokit.ApiException or HttpRequestException)
        {
            return [new("github", repository, level, $"GitHub could not be asked: {error.Message}", $"check the network and {options.ApiUrl}")];
        }
    }
}
