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
        var negatives = trainIds.Where(i => !labels.Has(i, classId)).Take(Math.Max(1, maxImages - positives.Count)).ToList();
        if (positives.Count == 0)
            context.Log($"warning: no training image has class {classId}; the model can only learn to predict nothing");
        var arch = Training.Arch(context);
        var train = Training.Source(context, folder, labels, positives.Concat(negatives).ToList(), height, width);
        var validation = SeverstalSet.Load(folder, labels, valIds.Take(context.Int("max_val_images", 400)), height, width);
        context.Log($"{arch}, class {classId}: {positives.Count} positive and {negatives.Count} negative training images, {validation.Count} validation images at {width}x{height}");

        manual_seed(seed);
        using var model = ModelSpec.Segmenter(arch, channels);
        model.to(context.Device);
        using var optimizer = optim.Adam(model.parameters(), context.Double("lr", 3e-3));
        using var trainer = new SampleTrainer(model, optimizer, train, batch, seed, context.Int("prefetch", 2),
            (chunk, flips, step) => new PreparedBatch(step, Batches.ImageArray(chunk, height, width, flips), [chunk.Count, 1, height, width],
                Batches.MaskArray(chunk, classId, height, width, flips), [chunk.Count, 1, height, width]),
            Training.SegmentationLoss(context.Double("bce_weight", 1), context.Double("dice_weight", 1)),
            context.Log, context.Device, LearningRate.FromParams(context, 3e-3));
        var (status, done) = EpochLoop.Run(context, model, optimizer, context.Config.Epochs, seed, trainer, Training.CheckpointEvery(context));
        if (status == OutputStatus.Partial)
            return new StageOutcome(status, new Progress(done, context.Config.Epochs), new Dictionary<string, double>(), new Dictionary<string, double>());

        Checkpoint.SaveWeights(model, context.Output);
        new ModelSpec("segment", 1, channels, height, width, classId) { Arch = arch }.Save(context.Output);
        var predictions = Training.Predict(model, validation, height, width, device: context.Device);
        var truths = validation.Select(s => s.Masks[classId - 1]).ToList();
        // The last candidate area can never be reached: predicting nothing for this class is an option too.
        var areas = new[] { 0, 0.001, 0.003, 0.006, 0.012, 0.025 }.Select(f => (int)(f * height * width)).Append(height * width + 1).ToList();
        var best = (from t in new[] { 0.3, 0.4, 0.5, 0.6, 0.7 }
                    from a in areas
                    select (Threshold: t, Area: a, Dice: predictions.Zip(truths).Average(p => Metrics.Dice.Pair(p.Second, Metrics.Dice.Mask(p.First, t, a)))))
            .MaxBy(x => x.Dice);
        var emptyBaseline = truths.Average(t => Metrics.Dice.Pair(t, null));
        return StageOutcome.Complete(context.Config.Epochs,
            new Dictionary<string, double> { ["val_dice"] = best.Dice, ["val_dice_all_empty"] = emptyBaseline, ["val_images"] = validation.Count },
            new Dictionary<string, double> { ["pixel"] = best.Threshold, ["min_area"] = best.Area });
    }
}
