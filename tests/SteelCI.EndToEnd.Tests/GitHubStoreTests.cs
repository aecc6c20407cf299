using SteelCI.Contracts;
using SteelCI.GitHub.Fake;
using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

/// <summary>
/// The pipeline with <c>--store github</c> against the loopback fake of GitHub's releases API (real Octokit, real HTTP):
/// every stage becomes a published prerelease, a second machine (a fresh workspace) reuses them all through the
/// store, and `steelci download` gives a person the verified model.
/// </summary>
[Collection("steelci")]
public sealed class GitHubStoreTests
{
    [Fact]
    public async Task Stages_publish_to_github_feed_a_fresh_workspace_and_download_verified()
    {
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "ghp_e2e_secret" });
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_API_URL"] = github.ApiUri.ToString().TrimEnd('/'),
            ["GITHUB_REPOSITORY"] = "team/checkpoints",
            ["STEELCI_GITHUB_TOKEN"] = "ghp_e2e_secret",
        };
        using var first = new PipelineWorkspace();
        using var second = new PipelineWorkspace();
        using var download = new TempDirectory("download");

        var run = Steelci.Run(environment, "run", first.Spec, "--profile", "ci", "--store", "github", "--workspace", first.Root);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("ghp_e2e_secret", run.Output);
        var releases = github.State.Releases("team", "checkpoints").Where(r => r.Tag != "steelci-state-severstal").ToList(); // the state's draft
        Assert.Equal(8, releases.Count);
        Assert.All(releases, r => Assert.False(r.Draft, $"{r.Tag} is still a draft"));
        Assert.All(releases, r => Assert.True(r.Prerelease));
        Assert.All(releases, r => Assert.Equal("false", r.MakeLatest));
        Assert.False(Directory.Exists(first.Releases)); // nothing went to the local store

        var elsewhere = Steelci.Run(environment, "run", second.Spec, "--profile", "ci", "--store", "github", "--workspace", second.Root);

        Assert.True(elsewhere.ExitCode == 0, elsewhere.Output);
        Assert.Equal(8, elsewhere.Output.Split('\n').Count(l => l.Contains(": reused release severstal-")));
        Assert.Equal(8, github.State.Releases("team", "checkpoints").Count(r => r.Tag != "steelci-state-severstal"));

        var fetched = Steelci.Run(environment, "download", first.Spec, "--store", "github", "--stage", "submission",
            "--output", download.Combine("model"), "--workspace", first.Root);

        Assert.True(fetched.ExitCode == 0, fetched.Output);
        var manifest = ManifestVerifier.Verify(download.Combine("model"));
        Assert.Equal("submission", manifest.Stage);
        Assert.True(File.Exists(download.Combine("model", "submission.csv")));
    }
}
