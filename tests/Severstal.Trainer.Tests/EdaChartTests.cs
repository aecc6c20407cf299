using Severstal.Eda;
using SteelCI.Testing;

namespace Severstal.Trainer.Tests;

/// <summary>The charts as written PNGs: their size, and ink exactly where the bars must be (and nowhere above them).</summary>
public sealed class EdaChartTests
{
    private static readonly Rgb Red = new(200, 30, 30), Blue = new(20, 40, 220);

    [Fact]
    public void Bars_are_where_their_values_put_them_in_the_written_png()
    {
        using var dir = new TempDirectory("eda-chart");
        var canvas = new Canvas(600, 400, Canvas.White);
        var bars = BarChart.Draw(canvas, new Box(0, 0, 600, 400), "TEST", ["A", "B", "C", "D"], [10, 0, 5, 2.5], [Red, Blue], "AXIS");
        var path = dir.Combine("chart.png");
        canvas.SavePng(path);
        var image = EdaHandMadeSetTests.Decode(path);
        Assert.Equal((600, 400), (image.Width, image.Height));

        // The plot area is fixed by the margins; the scale tops out at 10, so bar A is the full plot height.
        var plotTop = BarChart.TitleHeight + 12;
        var plotBottom = 400 - BarChart.BottomMargin;
        var plotHeight = plotBottom - plotTop;
        var slot = (600 - BarChart.LeftMargin - BarChart.RightMargin) / 4.0;
        for (var i = 0; i < 4; i++)
        {
            var centre = BarChart.LeftMargin + (int)(slot * (i + 0.5));
            Assert.InRange(bars[i].X + bars[i].Width / 2, centre - 2, centre + 2);
        }
        Assert.Equal(plotHeight, bars[0].Height);
        Assert.Equal(0, bars[1].Height);
        Assert.InRange(bars[2].Height, plotHeight / 2 - 1, plotHeight / 2 + 1);
        Assert.InRange(bars[3].Height, plotHeight / 4 - 1, plotHeight / 4 + 1);

        // In the file: every bar's inside is its colour, from its top to the axis; one pixel above it is not.
        foreach (var (bar, colour) in new[] { (bars[0], Red), (bars[2], Red), (bars[3], Blue) })
        {
            var x = bar.X + bar.Width / 2;
            for (var y = bar.Y; y < bar.Bottom; y += 7)
                EdaHandMadeSetTests.AssertPixel(image, x, y, colour.R, colour.G, colour.B);
            EdaHandMadeSetTests.AssertPixel(image, bar.X + 2, bar.Bottom - 1, colour.R, colour.G, colour.B);
            Assert.NotEqual((colour.R, colour.G, colour.B), Pixel(image, bar.X + 1, bar.Y - 1));
            Assert.NotEqual((colour.R, colour.G, colour.B), Pixel(image, bar.X - 1, bar.Bottom - 1)); // nor left of it
        }
        // The zero bar leaves its slot blank just above the axis: no bar colour anywhere in that column.
        var emptyX = BarChart.LeftMargin + (int)(slot * 1.5);
        for (var y = plotTop; y < plotBottom; y++)
            Assert.NotEqual((Blue.R, Blue.G, Blue.B), Pixel(image, emptyX, y));
    }

    [Fact]
    public void The_class_count_chart_of_the_hand_made_set_has_bars_in_proportion_and_in_the_class_colours()
    {
        using var dir = new TempDirectory("eda-counts");
        var (summary, _, _) = EdaScan.Run(EdaHandMadeSetTests.Write(dir), threads: 1);
        var chart = EdaCharts.ClassCounts(summary);
        var path = dir.Combine(chart.FileName);
        chart.Canvas.SavePng(path);
        var image = EdaHandMadeSetTests.Decode(path);
        Assert.Equal((EdaCharts.Width, EdaCharts.Height), (image.Width, image.Height));

        // none 3, class 1 3, class 2 3, class 3 1, class 4 1 image(s)
        var heights = chart.Bars.Select(b => b.Height).ToArray();
        Assert.Equal(heights[0], heights[1]);
        Assert.Equal(heights[0], heights[2]);
        Assert.InRange(heights[3] * 3, heights[0] - 3, heights[0] + 3);
        Assert.Equal(heights[3], heights[4]);
        for (var c = 1; c <= 4; c++)
        {
            var bar = chart.Bars[c];
            var tint = Rgb.OfClass(c);
            EdaHandMadeSetTests.AssertPixel(image, bar.X + bar.Width / 2, bar.Y + bar.Height / 2, tint.R, tint.G, tint.B);
        }
    }

    [Fact]
    public void Area_histograms_put_each_mask_in_its_log_bin_and_draw_four_panels()
    {
        using var dir = new TempDirectory("eda-areas");
        var (summary, _, _) = EdaScan.Run(EdaHandMadeSetTests.Write(dir), threads: 1);
        // class 1: 256 -> log10 2.41 -> bin 5; 2,560 -> 3.41 -> bin 9. class 3: 15 -> 1.18 -> bin 0.
        Assert.Equal(1, EdaCharts.AreaCounts(summary, 1)[5]);
        Assert.Equal(1, EdaCharts.AreaCounts(summary, 1)[9]);
        Assert.Equal(1, EdaCharts.AreaCounts(summary, 3)[0]);
        Assert.Equal(0, EdaCharts.AreaCounts(summary, 4).Sum());
        var chart = EdaCharts.AreaHistograms(summary);
        Assert.Equal((2 * EdaCharts.Width, 2 * EdaCharts.Height), (chart.Canvas.Width, chart.Canvas.Height));
        Assert.Equal(4 * EdaCharts.AreaBins, chart.Bars.Count);
        var bin9 = chart.Bars[9];
        Assert.True(bin9.Height > 0);
        var tint = Rgb.OfClass(1);
        Assert.Equal(tint, chart.Canvas[bin9.X + bin9.Width / 2, bin9.Bottom - 2]);
    }

    [Fact]
    public void Round_maxima_and_short_numbers()
    {
        Assert.Equal([1, 5, 10, 250, 500, 10000], new[] { 0, 3, 10, 201, 480, 7000 }.Select(v => BarChart.RoundUp(v)));
        Assert.Equal(["1234", "12.3K", "1.5M", "0.125"], new[] { 1234, 12345, 1.5e6, 0.125 }.Select(BarChart.Number));
    }

    private static (byte, byte, byte) Pixel(StbImageSharp.ImageResult image, int x, int y)
    {
        var o = (y * image.Width + x) * 3;
        return (image.Data[o], image.Data[o + 1], image.Data[o + 2]);
    }
}
