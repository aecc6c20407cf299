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
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "ghp_e2e_secret", Time = TimeProvider.System });
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_API_URL"] = github.ApiUri.ToString().TrimEnd('/'),
            ["GITHUB_REPOSITORY"] = "team/checkpoints",
            ["STEELCI_GITHUB_TOKEN"] = "ghp_e2e_secret",
            ["STEELCI_GITHUB_WRITE_SPACING_MS"] = "0",
        };
        using var first = new PipelineWorkspace();
        using var second = new PipelineWorkspace();
        using var download = new TempDirectory("download");

        var run = Steelci.Run(environment, "run", first.Spec, "--profile", "ci", "--store", "github", "--workspace", first.Root);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("ghp_e2e_secret", run.Output);
        var releases = github.State.Releases("team", "checkpoints").Where(r => r.Tag != "steelci-state-severstal").ToList(); // the state's draft
        Assert.Equal(9, releases.Count); // the dataset, eda and seven training stages
        Assert.All(releases, r => Assert.False(r.Draft, $"{r.Tag} is still a draft"));
        Assert.All(releases, r => Assert.True(r.Prerelease));
        Assert.All(releases, r => Assert.Equal("false", r.MakeLatest));
        Assert.False(Directory.Exists(first.Releases)); // nothing went to the local store

        var elsewhere = Steelci.Run(environment, "run", second.Spec, "--profile", "ci", "--store", "github", "--workspace", second.Root);

        Assert.True(elsewhere.ExitCode == 0, elsewhere.Output);
        Assert.Equal(9, elsewhere.Output.Split('\n').Count(l => l.Contains(": reused release severstal-")));
        Assert.Equal(9, github.State.Releases("team", "checkpoints").Count(r => r.Tag != "steelci-state-severstal"));

        var fetched = Steelci.Run(environment, "download", first.Spec, "--store", "github", "--stage", "submission",
            "--output", download.Combine("model"), "--workspace", first.Root);

        Assert.True(fetched.ExitCode == 0, fetched.Output);
        var manifest = ManifestVerifier.Verify(download.Combine("model"));
        Assert.Equal("submission", manifest.Stage);
        Assert.True(File.Exists(download.Combine("model", "submission.csv")));
    }

    [Fact]
    public async Task The_base_profiles_dataset_of_2000_images_publishes_as_one_release_under_1000_assets_and_downloads_verified()
    {
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "ghp_e2e_secret", Time = TimeProvider.System });
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_API_URL"] = github.ApiUri.ToString().TrimEnd('/'),
            ["GITHUB_REPOSITORY"] = "team/checkpoints",
            ["STEELCI_GITHUB_TOKEN"] = "ghp_e2e_secret",
            ["STEELCI_GITHUB_WRITE_SPACING_MS"] = "0",
        };
        // The shipped pipeline's base profile (2,000 generated images), with eda as its only stage: the dataset is what
        // is under test, and training at full resolution would take hours here.
        using var workspace = new PipelineWorkspace(spec => spec[..spec.IndexOf("\nstages:", StringComparison.Ordinal)] + """

            stages:
              eda:
                entry: eda
                inputs: [severstal]
                accelerator: cpu
                budget: { epochs: 1, minutes_per_epoch: 20 }
            """);
        using var download = new TempDirectory("download");

        var run = Steelci.Run(environment, "run", workspace.Spec, "--store", "github", "--workspace", workspace.Root);

        Assert.True(run.ExitCode == 0, run.Output);
        var dataset = StageReleases(github).Single(r => r.Tag.StartsWith("severstal-severstal-", StringComparison.Ordinal));
        Assert.False(dataset.Draft);
        Assert.True(dataset.Assets.Count < 1000, $"{dataset.Assets.Count} assets");
        Assert.Contains(dataset.Assets, a => a.Name.StartsWith("steelci-files.zip", StringComparison.Ordinal));

        var fetched = Steelci.Run(environment, "download", workspace.Spec, "--store", "github", "--stage", "severstal",
            "--output", download.Combine("data"), "--workspace", workspace.Root);

        Assert.True(fetched.ExitCode == 0, fetched.Output);
        var manifest = ManifestVerifier.Verify(download.Combine("data"));
        Assert.True(manifest.Files.Count(f => f.Path.EndsWith(".png", StringComparison.Ordinal) || f.Path.EndsWith(".jpg", StringComparison.Ordinal)) >= 2000,
            $"{manifest.Files.Count} files in the manifest");
        Assert.Contains("each matching the manifest", fetched.Output + run.Output);
    }

    /// <summary>The stage releases; the pipeline's state lives beside them on its own draft release (steelci-state-*).</summary>
    private static IReadOnlyList<FakeRelease> StageReleases(FakeGitHubServer github) =>
        github.State.Releases("team", "checkpoints").Where(r => !r.Tag.StartsWith("steelci-state-", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Kill_minus_nine_during_publishing_at_several_points_converges_to_one_complete_release_per_stage()
    {
        await using var github = await FakeGitHubServer.StartAsync(new FakeGitHubOptions { Token = "ghp_e2e_secret", Time = TimeProvider.System });
        github.Faults.Latency = TimeSpan.FromMilliseconds(150); // widens the windows between a publish's requests
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_API_URL"] = github.ApiUri.ToString().TrimEnd('/'),
            ["GITHUB_REPOSITORY"] = "team/checkpoints",
            ["STEELCI_GITHUB_TOKEN"] = "ghp_e2e_secret",
            ["STEELCI_GITHUB_WRITE_SPACING_MS"] = "0",
        };
        using var workspace = new PipelineWorkspace();
        IReadOnlyList<FakeRelease> Releases() => github.State.Releases("team", "checkpoints").Where(r => r.Tag != "steelci-state-severstal").ToList();
        var points = new (string Name, Func<bool> Reached)[]
        {
            ("a draft holds some of its assets", () => Releases().Any(r => r.Draft && r.Assets.Count >= 2)),
            ("a draft holds its asset index but not yet its manifest",
                () => Releases().Any(r => r.Draft && r.Assets.Any(a => a.Name == "steelci-assets.json") && r.Assets.All(a => a.Name != "manifest.json"))),
            ("a release was just published", () => Releases().Count(r => !r.Draft) >= 3),
        };

        foreach (var (name, reached) in points)
        {
            using var process = Steelci.Start(environment, "run", workspace.Spec, "--profile", "ci", "--store", "github", "--workspace", workspace.Root);
            await Eventually.Until(() => reached() || process.HasExited, poll: TimeSpan.FromMilliseconds(5)); // a real run
            Assert.True(reached(), $"never reached: {name}; steelci " +
                (process.HasExited ? $"exited {process.ExitCode}: {process.StandardOutput.ReadToEnd()}{process.StandardError.ReadToEnd()}" : "still running"));
            Steelci.KillTreeHard(process.Id);
            await process.WaitForExitAsync();
        }

        var final = Steelci.Run(environment, "run", workspace.Spec, "--profile", "ci", "--store", "github", "--workspace", workspace.Root);

        Assert.True(final.ExitCode == 0, final.Output);
        var releases = Releases();
        Assert.All(releases, r => Assert.False(r.Draft, $"{r.Tag} was left a draft"));
        Assert.Equal(9, releases.Select(r => r.Tag).Distinct().Count());
        Assert.True(releases.Count == 9, "exactly one release per stage; found " +
            string.Join("; ", releases.Select(r => $"{r.Tag} #{r.Id} published {r.PublishedAt:HH:mm:ss.fff} assets {r.Assets.Count}"))); 
        using var download = new TempDirectory("download");
        foreach (var release in releases)
        {
            var fetched = Steelci.Run(environment, "download", workspace.Spec, "--store", "github", "--release", release.Tag,
                "--output", download.Combine(release.Tag), "--workspace", workspace.Root);
            Assert.True(fetched.ExitCode == 0, fetched.Output);
            ManifestVerifier.Verify(download.Combine(release.Tag));
        }
    }
}
