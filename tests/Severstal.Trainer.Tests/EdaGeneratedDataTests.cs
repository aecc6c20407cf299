using Severstal.Data;
using Severstal.Eda;
using SteelCI.Testing;

namespace Severstal.Trainer.Tests;

/// <summary>
/// The analysis of generated data against what the generator *intends* (its parameters, not counts taken from the CSV
/// it wrote). Each image draws its classes independently, so the number of images with a property is Binomial(N, p);
/// a count is accepted within 4 standard deviations of N p. The generator is seeded, so the test is deterministic; 4
/// sigma means a correct generator and analysis would fail one such check for fewer than 1 in 15,000 seeds (two-sided
/// normal tail 6.3e-5), while a wrong class share of a few points at N = 600 lands far outside (class 3: sigma = 10 images).
/// </summary>
public sealed class EdaGeneratedDataTests
{
    private const int N = 600;
    private static readonly Lazy<(EdaSummary Summary, List<ImageFacts> Facts)> Scanned = new(() =>
    {
        var dir = new TempDirectory("eda-generated"); // removed below, after the one scan all tests share
        try
        {
            new SyntheticSeverstal(11).Write(dir.Path, N, 0);
            var (summary, facts, _) = EdaScan.Run(dir.Path, threads: 2);
            return (summary, facts);
        }
        finally
        {
            dir.Dispose();
        }
    });

    private static void AssertBinomial(string what, int observed, double p)
    {
        var expected = N * p;
        var sigma = Math.Sqrt(N * p * (1 - p));
        Assert.True(Math.Abs(observed - expected) <= 4 * sigma,
            $"{what}: {observed} of {N}, intended {expected:0.0} ± {4 * sigma:0.0} (4 sigma, p = {p:0.0000})");
    }

    [Fact]
    public void Defect_free_two_class_and_per_class_image_counts_match_the_intended_probabilities()
    {
        var s = Scanned.Value.Summary;
        double free = SyntheticSeverstal.DefectFreeShare, two = SyntheticSeverstal.TwoClassShare;
        Assert.Equal(N, s.Images);
        AssertBinomial("defect-free images", s.ImagesByClassCount[0], free);
        AssertBinomial("two-class images", s.ImagesByClassCount[2], (1 - free) * two);
        Assert.Equal(0, s.ImagesByClassCount[3] + s.ImagesByClassCount[4]);
        // The generator's design: over (image, class) pairs the shares are ClassShares, and a defective image carries
        // 1 + TwoClassShare classes on average, so P(image has class c) = (1 - free) (1 + two) ClassShares[c].
        for (var c = 1; c <= 4; c++)
            AssertBinomial($"images with class {c}", s.ClassImages(c), (1 - free) * (1 + two) * SyntheticSeverstal.ClassShares[c - 1]);
        // Two-class images always pair class 3 with another class.
        Assert.Equal(s.ImagesByClassCount[2], s.CoOccurrence[0, 2] + s.CoOccurrence[1, 2] + s.CoOccurrence[2, 3]);
        Assert.Equal(0, s.RleProblemCount);
        Assert.Equal(0, s.OverlapPixels);
        Assert.Equal(0, s.NotStandardSize + s.Unreadable + s.Colour);
    }

    /// <summary>
    /// Area bounds per class from the generator's drawing parameters (SyntheticSeverstal.Paint), for images with one
    /// class (in two-class images the second class paints over class 3):
    /// 1: 2-5 scratches, a square brush of side 7-11 swept 40-159 px; at least the part of one stroke inside the image
    ///    (starts >= 20 px above the bottom edge: 7 x 23 = 161 px); at most 5 x (159 x 11 x sqrt 2 + 11^2) = 12,975.
    /// 2: 1-3 ellipses, semi-axes 18-47 x 14-33 with an edge wobble of +-15 %, fully inside: at least
    ///    pi x 15.3 x 11.9 = 572 less a rasterised rim; at most 3 x pi x 54.05 x 37.95 = 19,332.
    /// 3: 2-5 ellipses, semi-axes 100-299 x 15-59, centre may sit on the top or bottom edge: at least half of
    ///    pi x 85 x 12.75 = 1,702; at most 5 x pi x 343.9 x 67.9 = 366,700.
    /// 4: 1-2 ellipses, semi-axes 60-179 x 40-109, fully inside vertically for the inner ellipse: at least
    ///    pi x 51 x 34 = 5,447; at most 2 x pi x 205.9 x 125.4 = 162,100.
    /// Raster rims can shave or add a few percent, so the bounds have 10 % slack.
    /// </summary>
    [Theory]
    [InlineData(1, 161, 12_975)]
    [InlineData(2, 572, 19_332)]
    [InlineData(3, 851, 366_700)]
    [InlineData(4, 5_447, 162_100)]
    public void Single_class_mask_areas_stay_in_the_generators_intended_range(int classId, double low, double high)
    {
        var areas = Scanned.Value.Facts.Where(f => f.ClassCount == 1 && f.Has(classId)).Select(f => f.Masks[0].Area).ToList();
        Assert.True(areas.Count >= 10, $"class {classId}: only {areas.Count} single-class images");
        Assert.All(areas, area => Assert.InRange(area, 0.9 * low, 1.1 * high));
        // and the classes keep their intended order of size: scratches and patches small, class 3 and 4 regions large
        var medians = Enumerable.Range(1, 4).Select(Scanned.Value.Summary.Median).ToArray();
        Assert.True(medians[0] < medians[2] && medians[1] < medians[3], string.Join(", ", medians));
    }
}
