using System.Text.Json.Nodes;
using Severstal.Data;
using Severstal.Models;
using Severstal.Stages;
using StbImageSharp;
using SteelCI.Contracts;
using SteelCI.Testing;
using SteelCI.Training;

namespace Severstal.Trainer.Tests;

/// <summary>Entry point <c>predict</c>: the trained models on new images, submission.csv and overlays checked pixel by pixel.</summary>
[Collection("torch")]
public sealed class PredictStageTests
{
    private static readonly Dictionary<string, Func<StageContext, StageOutcome>> Entries = new()
    {
        ["binary"] = ClassifierStage.Binary, ["multilabel"] = ClassifierStage.MultiLabel,
        ["segment"] = SegmenterStage.Run, ["predict"] = PredictStage.Run,
    };

    private static readonly string[] Models = ["binary", "multilabel", "seg1", "seg2", "seg3", "seg4"];

    private static (int Code, string Log) Run(TempDirectory dir, string entry, string stage, Dictionary<string, string> parameters,
        params (string Name, string Dir)[] inputs)
    {
        var config = dir.Combine($"{stage}.json");
        File.WriteAllText(config, Json.Serialize(new StageConfig
        {
            Pipeline = "severstal", Stage = stage, Entry = entry, ContentKey = new string('7', 64), Epochs = 1, Params = parameters,
            Inputs = inputs.Select(i => new StageInput(i.Name, i.Name, "folder", "k")).ToList(), TrainerHash = "t", SteelciVersion = "0.1.0",
        }));
        List<string> args = ["--config", config, "--output", dir.Combine(stage), "--threads", "1"];
        foreach (var (name, folder) in inputs)
            args.AddRange(["--input", $"{name}={folder}"]);
        var log = new StringWriter();
        return (TrainerHost.Run(args, Entries, TimeProvider.System, log), log.ToString());
    }

    /// <summary>Six tiny models on a synthetic dataset, as the ci profile trains them.</summary>
    private static void Train(TempDirectory dir)
    {
        new SyntheticSeverstal(5).Write(dir.Combine("data"), 24, 3);
        var common = new Dictionary<string, string>
        {
            ["arch"] = "small", ["channels"] = "4", ["height"] = "32", ["width"] = "200", ["batch"] = "8", ["max_images"] = "16", ["max_val_images"] = "8",
        };
        foreach (var stage in Models)
        {
            var parameters = new Dictionary<string, string>(common);
            if (stage.StartsWith("seg", StringComparison.Ordinal))
                parameters["class"] = stage[3..];
            var (code, log) = Run(dir, stage.StartsWith("seg", StringComparison.Ordinal) ? "segment" : stage, stage, parameters, ("severstal", dir.Combine("data")));
            Assert.True(code == TrainerContract.ExitComplete, log);
        }
    }

    /// <summary>Rewrites the thresholds a release's manifest carries (not a listed file, so the weights still verify).</summary>
    private static void SetThresholds(string folder, Dictionary<string, double> thresholds)
    {
        var path = Path.Combine(folder, Manifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var (key, value) in thresholds)
            json["thresholds"]![key] = value;
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>The masks of submission.csv, per image (256x1600 each, null = none).</summary>
    private static Dictionary<string, byte[]?[]> ReadSubmission(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal("ImageId,EncodedPixels,ClassId", lines[0]);
        var masks = new Dictionary<string, byte[]?[]>();
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(',');
            var entry = masks.TryGetValue(parts[0], out var m) ? m : masks[parts[0]] = new byte[]?[TrainLabels.Classes];
            if (parts[1].Length > 0)
                entry[int.Parse(parts[2]) - 1] = Rle.Decode(parts[1]);
        }
        return masks;
    }

    private static int AssertOverlaysMatch(string imageFolder, string output, Dictionary<string, byte[]?[]> masks)
    {
        var tinted = 0;
        foreach (var (id, classMasks) in masks)
        {
            var overlay = Path.Combine(output, PredictStage.OverlayFolder, PredictStage.OverlayName(id));
            Assert.True(File.Exists(overlay), $"no overlay {overlay}");
            ImageResult image, png;
            using (var stream = File.OpenRead(Path.Combine(imageFolder, id)))
                image = ImageResult.FromStream(stream, ColorComponents.Grey);
            using (var stream = File.OpenRead(overlay))
                png = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
            Assert.Equal((image.Width, image.Height), (png.Width, png.Height));
            for (var y = 0; y < png.Height; y++)
            for (var x = 0; x < png.Width; x++)
            {
                var o = (y * png.Width + x) * 3;
                var isTinted = png.Data[o] != png.Data[o + 1] || png.Data[o + 1] != png.Data[o + 2];
                var expected = classMasks.Any(mask => mask is not null && mask[y * 256 / png.Height * 1600 + x * 1600 / png.Width] != 0);
                if (isTinted != expected)
                    Assert.Fail($"{id} at ({x},{y}): tinted={isTinted}, mask={expected}");
                if (!isTinted)
                    Assert.Equal(image.Data[y * image.Width + x], png.Data[o]); // untinted pixels keep the image's gray
                tinted += isTinted ? 1 : 0;
            }
        }
        return tinted;
    }

    [Fact]
    public void The_pipeline_writes_a_submission_and_overlays_tinted_exactly_where_the_masks_are_and_honours_the_chosen_gates()
    {
        using var dir = new TempDirectory("predict");
        Train(dir);
        // Classifiers always pass and each segmenter keeps its more confident half of the first image, so masks are
        // neither empty nor whole and the check below means something.
        SetThresholds(dir.Combine("binary"), new() { ["defect"] = 0 });
        SetThresholds(dir.Combine("multilabel"), new() { ["class1"] = 0, ["class2"] = 0, ["class3"] = 0, ["class4"] = 0 });
        var images = dir.Combine("data", "test_images");
        var first = Directory.GetFiles(images, "*.jpg").Order(StringComparer.Ordinal).First();
        foreach (var seg in Models.Skip(2))
        {
            var spec = ModelSpec.Load(dir.Combine(seg));
            using var model = spec.Build();
            Checkpoint.LoadWeights(model, dir.Combine(seg));
            var scores = Training.Predict(model, [new Sample("x", GrayImage.Load(first, spec.Height, spec.Width), new byte[]?[4])], spec.Height, spec.Width)[0];
            SetThresholds(dir.Combine(seg), new() { ["pixel"] = scores.Order().ElementAt(scores.Length / 2), ["min_area"] = 0 });
        }

        var (code, log) = Run(dir, "predict", "predict", [],
            [.. Models.Select(m => (m, dir.Combine(m))), ("images", images)]);

        Assert.True(code == TrainerContract.ExitComplete, log);
        var output = dir.Combine("predict");
        var manifest = ManifestVerifier.Verify(output);
        Assert.Equal(3, manifest.Metrics["images"]);
        Assert.Contains(manifest.Files, f => f.Path == "overlays/" + PredictStage.OverlayName(Path.GetFileName(first)));
        var masks = ReadSubmission(Path.Combine(output, PredictStage.SubmissionFile));
        Assert.Equal(Directory.GetFiles(images).Select(Path.GetFileName).Order(), masks.Keys.Order());
        Assert.Equal(3, Directory.GetFiles(Path.Combine(output, PredictStage.OverlayFolder)).Length);
        var tinted = AssertOverlaysMatch(images, output, masks);
        Assert.InRange(tinted, 1, 3 * 256 * 1600 - 1);

        // The submission's chosen gates (gate_class1..4, copied by steelci predict from its thresholds): with the binary
        // classifier now refusing everything, a gated class predicts nothing and an ungated one keeps its segmenter's masks.
        Assert.Contains(masks.Values, m => m[0] is not null);
        SetThresholds(dir.Combine("binary"), new() { ["defect"] = 2 });
        var (gatedCode, gatedLog) = Run(dir, "predict", "predict-gated",
            new() { ["gate_class1"] = "0", ["gate_class2"] = "1", ["gate_class3"] = "1", ["gate_class4"] = "1" },
            [.. Models.Select(m => (m, dir.Combine(m))), ("images", images)]);
        Assert.True(gatedCode == TrainerContract.ExitComplete, gatedLog);
        var gated = ReadSubmission(dir.Combine("predict-gated", PredictStage.SubmissionFile));
        foreach (var (id, classMasks) in gated)
        {
            Assert.Equal(masks[id][0], classMasks[0]);
            Assert.All(classMasks.Skip(1), Assert.Null);
        }
        var (badCode, badLog) = Run(dir, "predict", "predict-bad", new() { ["gate_class2"] = "yes" },
            [.. Models.Select(m => (m, dir.Combine(m))), ("images", images)]);
        Assert.Equal(TrainerContract.ExitBadInput, badCode);
        Assert.Contains("gate_class2 must be 1 (gated) or 0, not 'yes'", badLog);
    }

    [Fact]
    public void One_segmenter_predicts_only_its_class_and_a_folder_without_images_is_bad_input()
    {
        using var dir = new TempDirectory("predict1");
        new SyntheticSeverstal(5).Write(dir.Combine("data"), 12, 2);
        var (trained, trainLog) = Run(dir, "segment", "seg3", new() { ["arch"] = "small", ["channels"] = "4", ["height"] = "32", ["width"] = "200", ["class"] = "3" },
            ("severstal", dir.Combine("data")));
        Assert.True(trained == TrainerContract.ExitComplete, trainLog);
        SetThresholds(dir.Combine("seg3"), new() { ["pixel"] = 0, ["min_area"] = 0 }); // every pixel: a whole-image mask

        var (code, log) = Run(dir, "predict", "predict", new() { ["segmenter"] = "seg3" },
            ("seg3", dir.Combine("seg3")), ("images", dir.Combine("data", "test_images")));

        Assert.True(code == TrainerContract.ExitComplete, log);
        var masks = ReadSubmission(dir.Combine("predict", PredictStage.SubmissionFile));
        Assert.All(masks.Values, m => Assert.Equal([false, false, true, false], m.Select(c => c is not null)));
        Assert.Equal(2 * 256 * 1600, AssertOverlaysMatch(dir.Combine("data", "test_images"), dir.Combine("predict"), masks));

        Directory.CreateDirectory(dir.Combine("empty"));
        var (emptyCode, emptyLog) = Run(dir, "predict", "predict2", new() { ["segmenter"] = "seg3" },
            ("seg3", dir.Combine("seg3")), ("images", dir.Combine("empty")));
        Assert.Equal(TrainerContract.ExitBadInput, emptyCode);
        Assert.Contains("no .jpg, .jpeg or .png images in", emptyLog);
    }

    [Fact]
    public void An_overlay_scales_the_mask_to_an_image_of_another_size_and_tints_per_class()
    {
        var gray = Enumerable.Repeat((byte)100, 32 * 200).ToArray();
        var mask = new byte[256 * 1600];
        for (var y = 0; y < 128; y++) // top half, left quarter: class 2
        for (var x = 0; x < 400; x++)
            mask[y * 1600 + x] = 1;

        var rgb = PredictStage.Overlay(gray, 32, 200, [null, mask, null, null]);

        for (var y = 0; y < 32; y++)
        for (var x = 0; x < 200; x++)
        {
            var o = (y * 200 + x) * 3;
            var pixel = (rgb[o], rgb[o + 1], rgb[o + 2]);
            Assert.Equal(y < 16 && x < 50 ? ((byte)33, (byte)166, (byte)33) : ((byte)100, (byte)100, (byte)100), pixel);
        }
    }
}
