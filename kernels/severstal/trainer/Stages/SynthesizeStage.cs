using Severstal.Data;
using SteelCI.Training;

namespace Severstal.Stages;

/// <summary>Entry point <c>synthesize</c>: writes a synthetic Severstal-like dataset (params images, test_images, seed).</summary>
public static class SynthesizeStage
{
    public static StageOutcome Run(StageContext context)
    {
        var images = context.Int("images", 400);
        var testImages = context.Int("test_images", Math.Max(4, images / 10));
        if (images < 10)
            throw new BadInputException($"stage {context.Config.Stage}: param 'images' must be at least 10, got {images}");
        new SyntheticSeverstal(context.Int("seed", 7)).Write(context.Output, images, testImages);
        var labels = TrainLabels.Load(context.Output);
        var masks = Enumerable.Range(1, TrainLabels.Classes).Select(c => labels.Images.Count(i => labels.Has(i, c))).ToArray();
        var metrics = new Dictionary<string, double>
        {
            ["images"] = labels.Images.Count,
            ["defect_free_share"] = labels.Images.Count(i => !labels.HasAny(i)) / (double)labels.Images.Count,
        };
        for (var c = 0; c < masks.Length; c++)
            metrics[$"class{c + 1}_mask_share"] = masks[c] / (double)Math.Max(1, masks.Sum());
        context.Log($"{images} training and {testImages} test images written");
        return StageOutcome.Complete(1, metrics);
    }
}
