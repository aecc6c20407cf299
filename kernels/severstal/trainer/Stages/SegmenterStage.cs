using TorchSharp;
using Severstal.Data;
using Severstal.Models;
using SteelCI.Contracts;
using SteelCI.Training;
using static TorchSharp.torch;

namespace Severstal.Stages;

/// <summary>
/// Entry point <c>segment</c>: a U-Net for one defect class (param <c>class</c>), trained on the images that have it
/// plus as many that do not; the pixel threshold and minimum area are chosen on the whole validation split.
/// </summary>
public static class SegmenterStage
{
    public static StageOutcome Run(StageContext context)
    {
        var classId = context.Int("class", 0);
        if (classId is < 1 or > TrainLabels.Classes)
            throw new BadInputException($"stage {context.Config.Stage}: param 'class' must be 1..4, got {classId}");
        var (folder, labels) = Inputs.Data(context);
        var (height, width) = Inputs.Resolution(context);
        int batch = context.Int("batch", 8), channels = context.Int("channels", 8), seed = context.Int("seed", 1);
        var maxImages = context.Int("max_images", 400);
        var (trainIds, valIds) = SeverstalSet.SplitIds(labels);
        var positives = trainIds.Where(i => labels.Has(i, classId)).Take(maxImages * 3 / 5).ToList();
        var shown = Oversample(positives, maxImages * 3 / 5);
        var negatives = trainIds.Where(i => !labels.Has(i, classId)).Take(Math.Max(1, maxImages - shown.Count)).ToList();
        if (positives.Count == 0)
            context.Log($"warning: no training image has class {classId}; the model can only learn to predict nothing");
        var arch = Training.Arch(context);
        var train = Training.Source(context, folder, labels, shown.Concat(negatives).ToList(), height, width);
        var validation = SeverstalSet.Load(folder, labels, valIds.Take(context.Int("max_val_images", 400)), height, width);
        context.Log($"{arch}, class {classId}: {positives.Count} positive images (repeated to fill {shown.Count} places) and " +
            $"{negatives.Count} negative training images, {validation.Count} validation images at {width}x{height}");

        manual_seed(seed);
        using var model = ModelSpec.Segmenter(arch, channels);
        model.to(context.Device);
        using var optimizer = new RootedAdam(model.parameters(), context.Double("lr", 3e-3));
        using var trainer = new SampleTrainer(model, optimizer, train, batch, seed, context.Int("prefetch", 2),
            (indices, flips, step) => Batches.Segmentation(train, indices, flips, step, classId, height, width),
            Training.SegmentationLoss(context.Double("bce_weight", 1), context.Double("dice_weight", 1)),
            context.Log, context.Device, LearningRate.FromParams(context, 3e-3),
            validate: () => new Dictionary<string, double> { ["val_dice"] = BestThresholds(model, validation, classId, height, width, context.Device).Dice });
        var (status, done) = EpochLoop.Run(context, model, optimizer, context.Config.Epochs, seed, trainer, Training.CheckpointEvery(context));
        if (status == OutputStatus.Partial)
            return new StageOutcome(status, new Progress(done, context.Config.Epochs), new Dictionary<string, double>(), new Dictionary<string, double>());

        Checkpoint.SaveWeights(model, context.Output, pending: context.Finishing); // beside the last periodic checkpoint until the manifest
        new ModelSpec("segment", 1, channels, height, width, classId) { Arch = arch }.Save(context.Output);
        var best = BestThresholds(model, validation, classId, height, width, context.Device);
        var truths = validation.Select(s => s.Masks[classId - 1]).ToList();
        var emptyBaseline = truths.Average(t => Metrics.Dice.Pair(t, null));
        context.Log($"validation Dice {best.Dice:0.0000} at pixel {best.Threshold}, min area {best.Area} (all-empty {emptyBaseline:0.0000})");
        return StageOutcome.Complete(context.Config.Epochs,
            new Dictionary<string, double> { ["val_dice"] = best.Dice, ["val_dice_all_empty"] = emptyBaseline, ["val_images"] = validation.Count },
            new Dictionary<string, double> { ["pixel"] = best.Threshold, ["min_area"] = best.Area });
    }

    /// <summary>
    /// The positive images repeated in turn until they fill <paramref name="share"/> places (none if there are none,
    /// unchanged if they already fill it). A class on few images (class 1 on 26 of the demo's 324 training images)
    /// otherwise made a fifth of each epoch, and its U-Net ended at predicting nothing.
    /// </summary>
    public static List<string> Oversample(IReadOnlyList<string> positives, int share) =>
        positives.Count == 0 ? [] : Enumerable.Range(0, Math.Max(share, positives.Count)).Select(i => positives[i % positives.Count]).ToList();

    /// <summary>Pixel thresholds searched on the validation split.</summary>
    public static readonly double[] PixelThresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>
    /// Minimum areas searched, as shares of the image. They reach 10 %: a class-4 region is often larger than that
    /// (real and synthetic), and a false positive on an image without the class scores 0 for that pair however small,
    /// so the area that separates real regions from stray ones can be large. The last candidate can never be reached:
    /// predicting nothing for this class is an option too.
    /// </summary>
    public static readonly double[] AreaShares = [0, 0.001, 0.003, 0.006, 0.012, 0.025, 0.05, 0.1];

    /// <summary>The (pixel threshold, minimum area) with the best mean Dice on the validation samples, and that Dice.</summary>
    public static (double Threshold, int Area, double Dice) BestThresholds(nn.Module<Tensor, Tensor> model, List<Sample> validation,
        int classId, int height, int width, Device device)
    {
        var predictions = Training.Predict(model, validation, height, width, device: device);
        var areas = AreaShares.Select(f => (int)(f * height * width)).Append(height * width + 1).ToList();
        // Per image and pixel threshold: predicted area, overlap with the truth, truth area; every minimum area then
        // scores as Dice.Pair(truth, Dice.Mask(p, t, a)) would, without building the masks.
        var counts = validation.Select((sample, i) =>
        {
            var truth = sample.Masks[classId - 1];
            var truthArea = truth?.Sum(b => (int)b) ?? 0;
            return PixelThresholds.Select(t =>
            {
                int area = 0, both = 0;
                var p = predictions[i];
                for (var k = 0; k < p.Length; k++)
                    if (p[k] >= t)
                    {
                        area++;
                        if (truth is not null)
                            both += truth[k];
                    }
                return (Area: area, Both: both, Truth: truthArea);
            }).ToArray();
        }).ToList();
        static double Pair((int Area, int Both, int Truth) c, int minArea) =>
            c.Area == 0 || c.Area < minArea ? (c.Truth == 0 ? 1 : 0) : c.Truth == 0 ? 0 : 2.0 * c.Both / (c.Area + c.Truth);
        return (from t in Enumerable.Range(0, PixelThresholds.Length)
                from a in areas
                select (Threshold: PixelThresholds[t], Area: a, Dice: counts.Average(c => Pair(c[t], a))))
            .MaxBy(x => x.Dice);
    }
}
