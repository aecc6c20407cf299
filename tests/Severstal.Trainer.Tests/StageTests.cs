using Severstal.Data;
using Severstal.Models;
using Severstal.Stages;
using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;

namespace Severstal.Trainer.Tests;

/// <summary>The real entry points through the trainer host, with the ResNet models and per-batch decoding.</summary>
[Collection("torch")]
public sealed class StageTests
{
    private static (int Code, string Log) Run(TempDirectory dir, string entry, string output, Dictionary<string, string> parameters)
    {
        var config = dir.Combine($"{output}.json");
        File.WriteAllText(config, Json.Serialize(new StageConfig
        {
            Pipeline = "severstal", Stage = output, Entry = entry, ContentKey = new string('5', 64), Epochs = 1,
            Params = parameters, Inputs = [new StageInput("severstal", "severstal", "folder", "k")], TrainerHash = "t", SteelciVersion = "0.1.0",
        }));
        var log = new StringWriter();
        var code = TrainerHost.Run(["--config", config, "--input", $"severstal={dir.Combine("data")}", "--output", dir.Combine(output), "--threads", "1"],
            new Dictionary<string, Func<StageContext, StageOutcome>> { ["binary"] = ClassifierStage.Binary, ["segment"] = SegmenterStage.Run },
            TimeProvider.System, log);
        return (code, log.ToString());
    }

    [Fact]
    public void Few_positive_images_are_repeated_in_turn_to_fill_their_share_and_many_are_left_as_they_are()
    {
        Assert.Equal(["a", "b", "c", "a", "b", "c", "a"], SegmenterStage.Oversample(["a", "b", "c"], 7));
        Assert.Equal(["a", "b", "c"], SegmenterStage.Oversample(["a", "b", "c"], 2));
        Assert.Empty(SegmenterStage.Oversample([], 7));
    }

    [Fact]
    public void Resnet_stages_train_write_a_format_2_model_and_load_back_verified()
    {
        using var dir = new TempDirectory("stages");
        new SyntheticSeverstal(3).Write(dir.Combine("data"), 30, 2);
        var common = new Dictionary<string, string>
        {
            ["arch"] = "resnet18", ["channels"] = "4", ["height"] = "32", ["width"] = "200", ["batch"] = "4", ["preload"] = "false",
        };

        var seg = Run(dir, "segment", "seg3", new Dictionary<string, string>(common) { ["class"] = "3" });
        var binary = Run(dir, "binary", "binary", common);

        Assert.True(seg.Code == TrainerContract.ExitComplete, seg.Log);
        Assert.True(binary.Code == TrainerContract.ExitComplete, binary.Log);
        foreach (var stage in new[] { "seg3", "binary" })
        {
            var folder = dir.Combine(stage);
            var manifest = ManifestVerifier.Verify(folder);
            Assert.DoesNotContain(manifest.Files, f => f.Path is Checkpoint.Resume or Checkpoint.Optimizer);
            var spec = ModelSpec.Load(folder);
            Assert.Equal((2, "resnet18"), (spec.Format, spec.Arch));
            using var model = spec.Build();
            Checkpoint.LoadWeights(model, folder);
        }
        Assert.Contains("resnet18, class 3:", seg.Log);
    }

    [Fact]
    public void An_unknown_architecture_is_bad_input_naming_the_choices()
    {
        using var dir = new TempDirectory("arch");
        new SyntheticSeverstal(3).Write(dir.Combine("data"), 10, 1);
        var (code, log) = Run(dir, "binary", "binary", new Dictionary<string, string> { ["arch"] = "vgg16", ["height"] = "32", ["width"] = "200" });
        Assert.Equal(TrainerContract.ExitBadInput, code);
        Assert.Contains("param 'arch' = 'vgg16' is not one of small, resnet18, resnet34", log);
    }
}
