using Microsoft.Extensions.Time.Testing;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Contracts;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Tests;

/// <summary>A competition's data is attached as a competition source: never uploaded, never listed as a dataset.</summary>
public sealed class CompetitionSourceTests
{
    [Fact]
    public void A_competition_input_becomes_a_competition_source_and_the_launcher_finds_it_by_its_slug()
    {
        var dir = Directory.CreateTempSubdirectory("steelci-competition-").FullName;
        try
        {
            Check(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Check(string dir)
    {
        var config = new StageConfig
        {
            Pipeline = "severstal", Stage = "binary", Entry = "binary", ContentKey = new string('1', 64), Epochs = 1,
            Params = new Dictionary<string, string>(), Inputs = [], TrainerHash = new string('9', 64), SteelciVersion = "0.1.0",
        };
        var package = new KernelPackager(new TrainerPublisher(new SystemProcessRunner(), dir), dir).Package(
            "severstal-binary-12345678-a1-abcde", config, new TrainerBundle(Path.Combine(dir, "bundle"), new string('9', 64)),
            [new KernelSource("severstal", "", "c") { Competition = "severstal-steel-defect-detection" }], "gpu", TimeSpan.FromHours(12));
        var pusher = new KernelPusher(new KaggleBackendOptions { Workspace = Path.Combine(dir, "ws") }, new FakeTimeProvider(), new NullKaggleLog());

        var request = pusher.Write("alice", package, new Dictionary<string, string>
        {
            ["steelci-trainer-999999999999"] = "steelci-steelci-trainer-9999999999999999",
            ["severstal"] = "severstal-steel-defect-detection",
        });

        Assert.Equal(["alice/steelci-steelci-trainer-9999999999999999"], request.DatasetDataSources);
        Assert.Equal(["severstal-steel-defect-detection"], request.CompetitionDataSources);
        var placed = KernelSpec.Read(Path.Combine(dir, "ws", "kaggle", "kernels", "alice", package.Slug));
        Assert.Equal("alice", placed.Owner);
        Assert.Equal(["steelci-steelci-trainer-9999999999999999", "severstal-steel-defect-detection"], placed.Mounts.Select(m => m.AttachedAs));
        Assert.Contains(placed.ToJson(), request.Text); // the launcher carries the placed spec
        var metadata = File.ReadAllText(Path.Combine(dir, "ws", "kaggle", "kernels", "alice", package.Slug, KernelMetadata.FileName));
        Assert.Contains("\"competition_sources\": [\n    \"severstal-steel-defect-detection\"\n  ]", metadata.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("alice/severstal-steel-defect-detection", metadata);
    }
}
