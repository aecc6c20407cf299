using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;

namespace Severstal.Trainer.Tests;

public sealed class TrainerHostTests
{
    private static (int Code, string Log) Run(TempDirectory dir, string? configJson, string entry = "fit")
    {
        var config = dir.Combine("stage.json");
        if (configJson is not null)
            File.WriteAllText(config, configJson);
        var log = new StringWriter();
        var entries = new Dictionary<string, Func<StageContext, StageOutcome>>
        {
            ["fit"] = context =>
            {
                File.WriteAllText(Path.Combine(context.Output, "model.bin"), "w");
                return StageOutcome.Complete(1, new Dictionary<string, double> { ["score"] = 0.75 });
            },
            ["broken"] = context => throw new InvalidOperationException("tensor mismatch deep inside"),
        };
        var code = TrainerHost.Run(["--config", config, "--output", dir.Combine("out"), "--threads", "1"], entries, TimeProvider.System, log);
        return (code, log.ToString());
    }

    private static string Config(string entry) => Json.Serialize(new StageConfig
    {
        Pipeline = "severstal", Stage = "s1", Entry = entry, ContentKey = new string('4', 64), Epochs = 1,
        Params = new Dictionary<string, string>(), Inputs = [], TrainerHash = "t", SteelciVersion = "0.1.0",
    });

    [Fact]
    public void A_finished_entry_writes_a_manifest_that_verifies_and_ends_with_the_marker()
    {
        using var dir = new TempDirectory("host");

        var (code, log) = Run(dir, Config("fit"));

        Assert.Equal(TrainerContract.ExitComplete, code);
        var manifest = ManifestVerifier.Verify(dir.Combine("out"), new string('4', 64));
        Assert.Equal(0.75, manifest.Metrics["score"]);
        Assert.Equal("0.107.0", manifest.Runtime.TorchSharp);
        var marker = TrainerContract.FindEndMarker(log);
        Assert.Equal("complete", marker!.Value.Status);
        Assert.Equal(SteelCI.Hashing.Sha256.OfFile(dir.Combine("out", Manifest.FileName)), marker.Value.ManifestSha256);
    }

    [Theory]
    [InlineData(null, TrainerContract.ExitBadInput, "stage configuration")]
    [InlineData("{ nope", TrainerContract.ExitBadInput, "not a valid StageConfig")]
    [InlineData("unknown", TrainerContract.ExitBadInput, "entry 'unknown' is not one of this trainer's: fit, broken")]
    [InlineData("broken", TrainerContract.ExitCrashed, "tensor mismatch deep inside")]
    public void Failures_exit_with_their_class_and_a_failed_marker(string? config, int expectedCode, string message)
    {
        using var dir = new TempDirectory("host");

        var (code, log) = Run(dir, config is "unknown" or "broken" ? Config(config) : config);

        Assert.Equal(expectedCode, code);
        Assert.Contains(message, log);
        Assert.Equal("failed", TrainerContract.FindEndMarker(log)!.Value.Status);
        Assert.False(File.Exists(dir.Combine("out", Manifest.FileName)));
    }
}
