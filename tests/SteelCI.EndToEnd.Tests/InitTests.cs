using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

/// <summary>
/// <c>steelci init</c> followed by the generated README's steps. The new pipeline goes under the system temp folder,
/// never into the repository, so nothing is left behind; outside the SteelCI checkout, init references
/// SteelCI.Training by the checkout's absolute path (SteelCIRoot in the generated Directory.Build.props).
/// </summary>
[Collection("steelci")]
public sealed class InitTests
{
    [Fact]
    public void Init_demo_then_run_trains_and_publishes_verified_releases()
    {
        using var dir = new TempDirectory("init");
        var pipeline = dir.Combine("demo");

        var init = Steelci.Run("init", "demo", "--directory", pipeline);

        Assert.True(init.ExitCode == 0, init.Output);
        foreach (var file in new[] { "steelci.yml", "README.md", "Directory.Build.props", "trainer/Demo.Trainer.csproj", "trainer/Program.cs",
                     "trainer/FitStage.cs", "tests/Demo.Trainer.Tests.csproj", "tests/StageTests.cs" })
            Assert.True(File.Exists(Path.Combine(pipeline, file)), $"{file} missing:\n{init.Output}");
        Assert.Contains($"<SteelCIRoot>{Repository.Root}</SteelCIRoot>", File.ReadAllText(Path.Combine(pipeline, "Directory.Build.props")));
        Assert.Contains("name: demo", File.ReadAllText(Path.Combine(pipeline, "steelci.yml")));
        Assert.Contains("## The trainer contract", File.ReadAllText(Path.Combine(pipeline, "README.md")));
        Assert.DoesNotContain("{{", string.Concat(Directory.GetFiles(pipeline, "*", SearchOption.AllDirectories).Select(File.ReadAllText)));

        var run = Steelci.Run("run", Path.Combine(pipeline, "steelci.yml"), "--profile", "ci");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("All stages finished.", run.Output);
        var releases = Path.Combine(pipeline, ".steelci", "releases");
        var fit = ManifestVerifier.Verify(Directory.GetDirectories(releases, "demo-fit-*").Single());
        var points = ManifestVerifier.Verify(Directory.GetDirectories(releases, "demo-points-*").Single());
        Assert.Contains(fit.Files, f => f.Path == "model.safetensors");
        Assert.True(fit.Metrics["val_mse"] < fit.Metrics["val_mse_mean"], run.Output); // it learned something
        Assert.Equal(points.ContentKey, fit.Lineage.Inputs.Single().ContentKey);

        var again = Steelci.Run("run", Path.Combine(pipeline, "steelci.yml"), "--profile", "ci");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("fit: reused release demo-fit-", again.Output);
    }

    [Fact]
    public void Init_refuses_a_bad_name_and_a_folder_that_is_not_empty()
    {
        using var dir = new TempDirectory("init-bad");
        dir.Write("taken/notes.txt", "mine");

        var badName = Steelci.Run("init", "My_Model", "--directory", dir.Combine("x"));
        var taken = Steelci.Run("init", "demo", "--directory", dir.Combine("taken"));
        var badRoot = Steelci.Run("init", "demo", "--directory", dir.Combine("y"), "--steelci-root", dir.Path);

        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("'My_Model' is not a pipeline name", badName.Output);
        Assert.Equal(2, taken.ExitCode);
        Assert.Contains("exists and is not empty", taken.Output);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir.Combine("taken")).Select(Path.GetFileName));
        Assert.Equal(2, badRoot.ExitCode);
        Assert.Contains("is not a SteelCI checkout", badRoot.Output);
        Assert.False(Directory.Exists(dir.Combine("x")) || Directory.Exists(dir.Combine("y")));
    }
}
