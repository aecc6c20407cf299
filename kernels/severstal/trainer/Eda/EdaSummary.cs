using Severstal.Data;

namespace Severstal.Eda;

/// <summary>The analysis's numbers over every training image, computed from the per-image facts (sorted by id).</summary>
public sealed class EdaSummary
{
    public const int Classes = LabelRows.Classes;
    public const long ImagePixels = (long)Rle.Height * Rle.Width;
    /// <summary>Histogram of image mean brightness: 64 bins of width 4 over 0..255.</summary>
    public const int BrightnessBins = 64;
    /// <summary>Regions per defect image: bins 1..9 and "10 or more".</summary>
    public const int RegionBins = 10;
    private const int Examples = 10;

    public EdaSummary(IReadOnlyList<ImageFacts> facts, int labelsWithoutImage)
    {
        var sorted = facts.OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
        Images = sorted.Count;
        LabelsWithoutImage = labelsWithoutImage;
        foreach (var image in sorted)
        {
            var classes = image.ClassCount;
            ImagesByClassCount[classes]++;
            for (var a = 1; a <= Classes; a++)
            for (var b = 1; b <= Classes; b++)
                if (image.Has(a) && image.Has(b))
                    CoOccurrence[a - 1, b - 1]++;
            var regions = 0;
            foreach (var mask in image.Masks)
            {
                RleRows++;
                if (mask.Problem == RleProblem.None)
                {
                    Areas[mask.ClassId - 1].Add(mask.Area);
                    regions += mask.Regions;
                }
                else
                {
                    RleProblems[mask.Problem]++;
                    if (RleExamples.Count < Examples)
                        RleExamples.Add($"train.csv:{mask.Line}: {image.Id} class {mask.ClassId}: {Describe(mask.Problem)}");
                }
            }
            if (regions > 0)
                RegionsPerImage[Math.Min(RegionBins, regions) - 1]++;
            DuplicateRows += image.DuplicateRows;
            OverlapPixels += image.OverlapPixels;
            if (image.OverlapPixels > 0)
                ImagesWithOverlap++;
            if (image.Error is not null)
            {
                Unreadable++;
                if (Oddities.Count < Examples)
                    Oddities.Add($"{image.Id}: {image.Error}");
                continue;
            }
            if (!image.IsStandardSize)
            {
                NotStandardSize++;
                if (Oddities.Count < Examples)
                    Oddities.Add($"{image.Id}: {image.Width}x{image.Height}, not 1600x256");
            }
            if (image.Colour)
                Colour++;
            Brightness.Add(image.Mean);
            Spread.Add(image.Spread);
            BrightnessHistogram[Math.Clamp((int)(image.Mean / 4), 0, BrightnessBins - 1)]++;
        }
        foreach (var areas in Areas)
            areas.Sort();
    }

    public int Images { get; }
    public int LabelsWithoutImage { get; }
    public int[] ImagesByClassCount { get; } = new int[Classes + 1];
    public int ImagesWithDefects => Images - ImagesByClassCount[0];
    /// <summary>[a, b]: images with both classes a+1 and b+1; the diagonal holds images per class.</summary>
    public int[,] CoOccurrence { get; } = new int[Classes, Classes];
    public int ClassImages(int classId) => CoOccurrence[classId - 1, classId - 1];
    public int Masks => Enumerable.Range(1, Classes).Sum(ClassImages);
    /// <summary>Areas (pixels) of every valid mask per class, ascending.</summary>
    public List<long>[] Areas { get; } = Enumerable.Range(0, Classes).Select(_ => new List<long>()).ToArray();
    public int[] RegionsPerImage { get; } = new int[RegionBins];
    public int RleRows { get; private set; }
    public Dictionary<RleProblem, int> RleProblems { get; } =
        Enum.GetValues<RleProblem>().Where(p => p != RleProblem.None).ToDictionary(p => p, _ => 0);
    public List<string> RleExamples { get; } = [];
    public int DuplicateRows { get; private set; }
    public long OverlapPixels { get; private set; }
    public int ImagesWithOverlap { get; private set; }
    public int Unreadable { get; private set; }
    public int NotStandardSize { get; private set; }
    /// <summary>Images whose channels differ (the trainer reads every image as gray).</summary>
    public int Colour { get; private set; }
    public List<string> Oddities { get; } = [];
    /// <summary>Mean brightness of each readable image, and the spread (standard deviation) of its pixels.</summary>
    public List<double> Brightness { get; } = [];
    public List<double> Spread { get; } = [];
    public int[] BrightnessHistogram { get; } = new int[BrightnessBins];

    public long AreaSum(int classId) => Areas[classId - 1].Sum();
    public long DefectPixels => Enumerable.Range(1, Classes).Sum(AreaSum);

    public double Median(int classId)
    {
        var areas = Areas[classId - 1];
        return areas.Count == 0 ? 0 : areas.Count % 2 == 1 ? areas[areas.Count / 2] : (areas[areas.Count / 2 - 1] + areas[areas.Count / 2]) / 2.0;
    }

    public static string Describe(RleProblem problem) => problem switch
    {
        RleProblem.NotNumbers => "not pairs of positive integers",
        RleProblem.OutOfBounds => "a run goes past the 256x1600 image",
        RleProblem.Unsorted => "runs are not in ascending order",
        RleProblem.Overlapping => "runs overlap",
        _ => "ok",
    };

    public int RleProblemCount => RleProblems.Values.Sum();

    private static double Mean(IReadOnlyCollection<double> values) => values.Count == 0 ? 0 : values.Sum() / values.Count;

    private static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count < 2)
            return 0;
        var mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>The numbers for the manifest (names are the keys <c>status</c>, summaries and report.md use).</summary>
    public Dictionary<string, double> Metrics()
    {
        var metrics = new Dictionary<string, double>
        {
            ["images"] = Images,
            ["images_with_defects"] = ImagesWithDefects,
            ["images_without_defects"] = ImagesByClassCount[0],
            ["defect_free_share"] = Images == 0 ? 0 : ImagesByClassCount[0] / (double)Images,
            ["masks"] = Masks,
            ["defect_pixel_share"] = Images == 0 ? 0 : DefectPixels / (double)(Images * ImagePixels),
            ["regions_per_defect_image"] = ImagesWithDefects == 0 ? 0 : RegionsPerImage.Select((n, i) => n * (i + 1.0)).Sum() / ImagesWithDefects,
            ["rle_rows"] = RleRows,
            ["rle_problems"] = RleProblemCount,
            ["duplicate_rows"] = DuplicateRows,
            ["class_overlap_pixels"] = OverlapPixels,
            ["labels_without_image"] = LabelsWithoutImage,
            ["images_unreadable"] = Unreadable,
            ["images_not_1600x256"] = NotStandardSize,
            ["images_in_colour"] = Colour,
            ["brightness_mean"] = Mean(Brightness),
            ["brightness_spread_between_images"] = StandardDeviation(Brightness),
            ["brightness_spread_within_images"] = Mean(Spread),
        };
        for (var k = 1; k <= Classes; k++)
            metrics[$"images_with_{k}_classes"] = ImagesByClassCount[k];
        for (var c = 1; c <= Classes; c++)
        {
            metrics[$"class{c}_images"] = ClassImages(c);
            metrics[$"class{c}_mask_share"] = Masks == 0 ? 0 : ClassImages(c) / (double)Masks;
            metrics[$"class{c}_pixel_share"] = Images == 0 ? 0 : AreaSum(c) / (double)(Images * ImagePixels);
            metrics[$"class{c}_area_mean"] = Areas[c - 1].Count == 0 ? 0 : AreaSum(c) / (double)Areas[c - 1].Count;
            metrics[$"class{c}_area_median"] = Median(c);
            metrics[$"class{c}_area_min"] = Areas[c - 1].Count == 0 ? 0 : Areas[c - 1][0];
            metrics[$"class{c}_area_max"] = Areas[c - 1].Count == 0 ? 0 : Areas[c - 1][^1];
        }
        for (var a = 1; a <= Classes; a++)
        for (var b = a + 1; b <= Classes; b++)
            metrics[$"classes_{a}_{b}_images"] = CoOccurrence[a - 1, b - 1];
        return metrics;
    }
}
