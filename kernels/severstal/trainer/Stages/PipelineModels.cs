using TorchSharp;
using Severstal.Data;
using Severstal.Metrics;
using Severstal.Models;
using SteelCI.Training;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>The trained classifiers and segmenters loaded from their release folders, with their thresholds.</summary>
internal sealed class PipelineModels(
    (nn.Module<Tensor, Tensor> Model, ModelSpec Spec, double Threshold) binary,
    (nn.Module<Tensor, Tensor> Model, ModelSpec Spec, double[] Thresholds) multiLabel,
    (nn.Module<Tensor, Tensor> Model, ModelSpec Spec, double Pixel, int MinArea)[] segmenters,
    Device device)
{
    public static PipelineModels Load(StageContext context, string binaryInput, string multiLabelInput, string[] segmenterInputs)
    {
        if (segmenterInputs.Length != TrainLabels.Classes)
            throw new BadInputException($"stage {context.Config.Stage}: param 'segmenters' must name 4 inputs (classes 1..4)");
        var binaryDir = context.Input(binaryInput);
        var multiDir = context.Input(multiLabelInput);
        var binarySpec = ModelSpec.Load(binaryDir);
        var multiSpec = ModelSpec.Load(multiDir);
        var binaryModel = LoadInto(binarySpec.Build(), binaryDir, context.Device);
        var multiModel = LoadInto(multiSpec.Build(), multiDir, context.Device);
        var multiThresholds = Inputs.Thresholds(multiDir);
        var segs = segmenterInputs.Select((name, i) =>
        {
            var dir = context.Input(name.Trim());
            var spec = ModelSpec.Load(dir);
            if (spec.ClassId != i + 1)
                throw new BadInputException($"input '{name}' segments class {spec.ClassId}, expected class {i + 1}");
            var thresholds = Inputs.Thresholds(dir);
            return (LoadInto(spec.Build(), dir, context.Device), spec, thresholds["pixel"], (int)thresholds["min_area"]);
        }).ToArray();
        return new PipelineModels(
            (binaryModel, binarySpec, Inputs.Thresholds(binaryDir)["defect"]),
            (multiModel, multiSpec, Enumerable.Range(1, TrainLabels.Classes).Select(c => multiThresholds[$"class{c}"]).ToArray()),
            segs, context.Device);
    }

    /// <summary>Full-resolution masks (null = no defect of that class) for each image of a folder, the classes <paramref name="gated"/> names gated.</summary>
    public List<(string Id, byte[]?[] Masks)> Predict(string imageFolder, IReadOnlyList<string> ids, bool[] gated) =>
        Gate(PredictUngated(imageFolder, ids), gated);

    /// <summary>
    /// Per image and class: the segmenter's full-resolution mask (null when it passes neither its pixel threshold nor
    /// its minimum area) and whether both classifiers let the class through.
    /// </summary>
    public List<(string Id, byte[]?[] Masks, bool[] Passed)> PredictUngated(string imageFolder, IReadOnlyList<string> ids)
    {
        var results = new List<(string, byte[]?[], bool[])>();
        foreach (var chunk in ids.Chunk(32))
        {
            var pBinary = Scores(binary.Model, binary.Spec, imageFolder, chunk);
            var pMulti = Scores(multiLabel.Model, multiLabel.Spec, imageFolder, chunk);
            var pSeg = segmenters.Select(s => Scores(s.Model, s.Spec, imageFolder, chunk)).ToArray();
            for (var i = 0; i < chunk.Length; i++)
            {
                var masks = new byte[]?[TrainLabels.Classes];
                var passed = new bool[TrainLabels.Classes];
                for (var c = 0; c < TrainLabels.Classes; c++)
                {
                    passed[c] = pBinary[i][0] >= binary.Threshold && pMulti[i][c] >= multiLabel.Thresholds[c];
                    var (_, spec, pixel, minArea) = segmenters[c];
                    if (Dice.Mask(pSeg[c][i], pixel, minArea) is { } low)
                        masks[c] = GrayImage.EnlargeMask(low, spec.Height, spec.Width, Rle.Height, Rle.Width);
                }
                results.Add((chunk[i], masks, passed));
            }
        }
        return results;
    }

    /// <summary>The masks with class c kept only where the classifiers passed it, for the classes <paramref name="gated"/> names.</summary>
    public static List<(string Id, byte[]?[] Masks)> Gate(List<(string Id, byte[]?[] Masks, bool[] Passed)> predictions, bool[] gated) =>
        predictions.Select(p => (p.Id, p.Masks.Select((m, c) => gated[c] && !p.Passed[c] ? null : m).ToArray())).ToList();

    private List<float[]> Scores(nn.Module<Tensor, Tensor> model, ModelSpec spec, string folder, IReadOnlyList<string> ids)
    {
        var samples = ids.Select(id => new Sample(id, GrayImage.Load(Path.Combine(folder, id), spec.Height, spec.Width), new byte[]?[TrainLabels.Classes])).ToList();
        return Training.Predict(model, samples, spec.Height, spec.Width, device: device);
    }

    private static T LoadInto<T>(T model, string directory, Device device) where T : nn.Module
    {
        Checkpoint.LoadWeights(model, directory);
        model.to(device);
        return model;
    }
}
