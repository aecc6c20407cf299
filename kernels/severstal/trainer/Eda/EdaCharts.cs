using System.Globalization;

namespace Severstal.Eda;

/// <summary>A drawn chart and the boxes of its bars (or heat-map cells), for checking where the ink must be.</summary>
public sealed record Chart(string FileName, string Title, Canvas Canvas, IReadOnlyList<Box> Bars);

/// <summary>The analysis's charts, drawn from an <see cref="EdaSummary"/>.</summary>
public static class EdaCharts
{
    public const int Width = 960, Height = 540;
    /// <summary>Area histogram bins: log10(area) from 1 (10 pixels) to 6 in steps of 0.25.</summary>
    public const double AreaLogFrom = 1, AreaLogStep = 0.25;
    public const int AreaBins = 20;

    private static readonly Rgb Neutral = new(130, 130, 130);
    private static readonly Rgb[] ClassColours = Enumerable.Range(1, EdaSummary.Classes).Select(Rgb.OfClass).ToArray();

    public static IReadOnlyList<Chart> All(EdaSummary summary) =>
    [
        ClassCounts(summary), ClassesPerImage(summary), AreaHistograms(summary), CoOccurrence(summary),
        PixelShares(summary), RegionsPerImage(summary), Brightness(summary),
    ];

    public static Chart ClassCounts(EdaSummary s) => Bars("class_counts.png", "IMAGES PER CLASS",
        ["NONE", "CLASS 1", "CLASS 2", "CLASS 3", "CLASS 4"],
        [s.ImagesByClassCount[0], s.ClassImages(1), s.ClassImages(2), s.ClassImages(3), s.ClassImages(4)],
        [Neutral, .. ClassColours], $"IMAGES ({s.Images} IN ALL)");

    public static Chart ClassesPerImage(EdaSummary s) => Bars("classes_per_image.png", "IMAGES BY NUMBER OF DEFECT CLASSES",
        ["0", "1", "2", "3", "4"], s.ImagesByClassCount.Select(n => (double)n).ToList(), [Neutral], "CLASSES ON THE IMAGE");

    public static Chart PixelShares(EdaSummary s) => Bars("pixel_share.png", "SHARE OF ALL PIXELS PER CLASS (%)",
        ["CLASS 1", "CLASS 2", "CLASS 3", "CLASS 4"],
        Enumerable.Range(1, EdaSummary.Classes).Select(c => 100.0 * s.AreaSum(c) / Math.Max(1, s.Images * EdaSummary.ImagePixels)).ToList(),
        ClassColours, "PERCENT OF TRAINING PIXELS");

    public static Chart RegionsPerImage(EdaSummary s) => Bars("regions_per_image.png", "DEFECT REGIONS PER DEFECTIVE IMAGE",
        Enumerable.Range(1, EdaSummary.RegionBins).Select(n => n < EdaSummary.RegionBins ? $"{n}" : $"{n}+").ToList(),
        s.RegionsPerImage.Select(n => (double)n).ToList(), [Neutral], "CONNECTED REGIONS (ALL CLASSES)");

    public static Chart Brightness(EdaSummary s) => Bars("brightness.png", "MEAN BRIGHTNESS OF EACH IMAGE",
        Enumerable.Range(0, EdaSummary.BrightnessBins).Select(i => i % 8 == 0 ? $"{i * 4}" : "").ToList(),
        s.BrightnessHistogram.Select(n => (double)n).ToList(), [Neutral], "MEAN GRAY LEVEL (0-255)", showValues: false);

    /// <summary>Four panels, one per class: how many masks fall in each log-scale area bin.</summary>
    public static Chart AreaHistograms(EdaSummary s)
    {
        var canvas = new Canvas(Width * 2, Height * 2, Canvas.White);
        var bars = new List<Box>();
        for (var c = 1; c <= EdaSummary.Classes; c++)
        {
            var area = new Box((c - 1) % 2 * Width, (c - 1) / 2 * Height, Width, Height);
            var title = string.Create(CultureInfo.InvariantCulture,
                $"CLASS {c}: MASK AREA, {s.Areas[c - 1].Count} MASKS, MEDIAN {BarChart.Number(s.Median(c))} PX");
            bars.AddRange(BarChart.Draw(canvas, area, title, AreaLabels(), AreaCounts(s, c).Select(n => (double)n).ToList(),
                [ClassColours[c - 1]], "PIXELS (LOG SCALE)"));
        }
        return new Chart("area_histograms.png", "Mask area per class (log scale)", canvas, bars);
    }

    /// <summary>Masks of a class per area bin (<see cref="AreaBins"/> bins; areas outside go to the first or last).</summary>
    public static int[] AreaCounts(EdaSummary s, int classId)
    {
        var counts = new int[AreaBins];
        foreach (var area in s.Areas[classId - 1])
            counts[Math.Clamp((int)Math.Floor((Math.Log10(Math.Max(1, area)) - AreaLogFrom) / AreaLogStep), 0, AreaBins - 1)]++;
        return counts;
    }

    private static List<string> AreaLabels() =>
        Enumerable.Range(0, AreaBins).Select(i => i % 4 == 0 ? new[] { "10", "100", "1K", "10K", "100K" }[i / 4] : "").ToList();

    /// <summary>A 4x4 grid: cell (a, b) is the number of images with both classes; the diagonal is images per class.</summary>
    public static Chart CoOccurrence(EdaSummary s)
    {
        const int cell = 100, left = 150, top = 90;
        var canvas = new Canvas(left + cell * EdaSummary.Classes + 40, top + cell * EdaSummary.Classes + 60, Canvas.White);
        canvas.Text(12, 12, "IMAGES WITH BOTH CLASSES", Canvas.Black);
        canvas.Text(12, 36, "(DIAGONAL: IMAGES WITH THE CLASS)", Canvas.Ink);
        var most = Math.Max(1, Enumerable.Range(0, EdaSummary.Classes).Max(c => s.CoOccurrence[c, c]));
        var cells = new List<Box>();
        for (var a = 0; a < EdaSummary.Classes; a++)
        {
            canvas.Text(20, top + a * cell + cell / 2 - 7, $"CLASS {a + 1}", Canvas.Ink);
            canvas.CentredText(left + a * cell + cell / 2, top - 24, $"CLASS {a + 1}", Canvas.Ink);
            for (var b = 0; b < EdaSummary.Classes; b++)
            {
                var count = s.CoOccurrence[a, b];
                // a square-root scale keeps the small pairings visible next to class 3's thousands
                var strength = count == 0 ? 0 : 0.15 + 0.85 * Math.Sqrt(count / (double)most);
                var colour = new Rgb((byte)(255 - 225 * strength), (byte)(255 - 175 * strength), (byte)(255 - 90 * strength));
                var box = new Box(left + b * cell + 2, top + a * cell + 2, cell - 4, cell - 4);
                canvas.Fill(box.X, box.Y, box.Width, box.Height, colour);
                canvas.CentredText(box.X + box.Width / 2, box.Y + box.Height / 2 - 7, BarChart.Number(count),
                    strength > 0.55 ? Canvas.White : Canvas.Black);
                cells.Add(box);
            }
        }
        return new Chart("cooccurrence.png", "Co-occurrence of classes", canvas, cells);
    }

    private static Chart Bars(string file, string title, IReadOnlyList<string> labels, IReadOnlyList<double> values,
        IReadOnlyList<Rgb> colours, string axis, bool showValues = true)
    {
        var canvas = new Canvas(Width, Height, Canvas.White);
        var bars = BarChart.Draw(canvas, new Box(0, 0, Width, Height), title, labels, values, colours, axis, showValues);
        return new Chart(file, Capitalised(title), canvas, bars);
    }

    private static string Capitalised(string title) => title[..1] + title[1..].ToLowerInvariant();
}
