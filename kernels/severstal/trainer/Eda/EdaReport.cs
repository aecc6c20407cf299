using System.Globalization;
using System.Text;

namespace Severstal.Eda;

/// <summary>report.md: the analysis on one page, numbers as tables and the charts linked (they sit beside it).</summary>
public static class EdaReport
{
    public const string FileName = "report.md";

    public static string Build(EdaSummary s, IReadOnlyList<Chart> charts, bool examples)
    {
        var text = new StringBuilder();
        string Share(double part, double whole) => whole == 0 ? "–" : (100 * part / whole).ToString("0.0#", CultureInfo.InvariantCulture) + " %";
        string N(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
        text.Append("# Severstal training data: exploratory analysis\n\n");
        text.Append("| what | value |\n|---|---|\n");
        text.Append($"| training images | {N(s.Images)} |\n");
        text.Append($"| with at least one defect | {N(s.ImagesWithDefects)} ({Share(s.ImagesWithDefects, s.Images)}) |\n");
        text.Append($"| without defects | {N(s.ImagesByClassCount[0])} ({Share(s.ImagesByClassCount[0], s.Images)}) |\n");
        for (var k = 1; k <= EdaSummary.Classes; k++)
            text.Append($"| with {k} class{(k > 1 ? "es" : "")} | {N(s.ImagesByClassCount[k])} |\n");
        text.Append($"| masks (image, class pairs) | {N(s.Masks)} |\n");
        text.Append($"| defect pixels, share of all pixels | {Share(s.DefectPixels, s.Images * (double)EdaSummary.ImagePixels)} |\n");
        var regions = s.RegionsPerImage.Select((n, i) => n * (i + 1.0)).Sum();
        text.Append($"| connected defect regions per defective image (mean) | {(s.ImagesWithDefects == 0 ? "–" : N(regions / s.ImagesWithDefects))} |\n");
        var metrics = s.Metrics();
        text.Append($"| brightness: mean gray level / spread between images / spread within an image | " +
            $"{metrics["brightness_mean"].ToString("0.0", CultureInfo.InvariantCulture)} / " +
            $"{metrics["brightness_spread_between_images"].ToString("0.0", CultureInfo.InvariantCulture)} / " +
            $"{metrics["brightness_spread_within_images"].ToString("0.0", CultureInfo.InvariantCulture)} |\n\n");

        text.Append("## Per class\n\n| class | images | share of masks | share of all pixels | share of defect pixels | area min | median | mean | max |\n|---|---|---|---|---|---|---|---|---|\n");
        for (var c = 1; c <= EdaSummary.Classes; c++)
            text.Append($"| {c} | {N(s.ClassImages(c))} | {Share(s.ClassImages(c), s.Masks)} | {Share(s.AreaSum(c), s.Images * (double)EdaSummary.ImagePixels)} | " +
                $"{Share(s.AreaSum(c), s.DefectPixels)} | {N(metrics[$"class{c}_area_min"])} | {N(metrics[$"class{c}_area_median"])} | " +
                $"{N(Math.Round(metrics[$"class{c}_area_mean"]))} | {N(metrics[$"class{c}_area_max"])} |\n");
        text.Append("\nImages with two classes at once (the diagonal of the co-occurrence chart is the column \"images\" above):\n\n| | class 2 | class 3 | class 4 |\n|---|---|---|---|\n");
        for (var a = 1; a <= EdaSummary.Classes - 1; a++)
            text.Append($"| class {a} | " + string.Join(" | ", Enumerable.Range(2, 3).Select(b => b > a ? N(s.CoOccurrence[a - 1, b - 1]) : "")) + " |\n");

        text.Append("\n## Checks\n\n| check | found |\n|---|---|\n");
        text.Append($"| RLE rows read | {N(s.RleRows)} |\n");
        foreach (var (problem, count) in s.RleProblems)
            text.Append($"| RLE rows where {EdaSummary.Describe(problem)} | {N(count)} |\n");
        text.Append($"| rows repeating an (image, class) pair | {N(s.DuplicateRows)} |\n");
        text.Append($"| pixels claimed by two classes | {N(s.OverlapPixels)} (on {N(s.ImagesWithOverlap)} images) |\n");
        text.Append($"| labelled images missing from train_images/ | {N(s.LabelsWithoutImage)} |\n");
        text.Append($"| images that cannot be read | {N(s.Unreadable)} |\n");
        text.Append($"| images not 1600x256 | {N(s.NotStandardSize)} |\n");
        text.Append($"| images in colour, not gray (the trainer reads them as gray) | {N(s.Colour)} |\n");
        foreach (var line in s.RleExamples.Concat(s.Oddities))
            text.Append($"\n- `{line}`");
        text.Append("\n\n## Charts\n\n");
        foreach (var chart in charts)
            text.Append($"### {chart.Title}\n\n![{chart.Title}]({chart.FileName})\n\n");
        if (examples)
            text.Append($"### Examples\n\nTwo images per class; true masks tinted red (1), green (2), blue (3), yellow (4), as `steelci predict` tints predictions.\n\n![Examples]({ExampleGrid.FileName})\n");
        return text.ToString();
    }
}
