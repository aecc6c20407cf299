using System.Globalization;

namespace Severstal.Eda;

/// <summary>A rectangle on a canvas: left, top, width, height in pixels.</summary>
public readonly record struct Box(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
}

/// <summary>
/// A bar chart drawn into a box of a canvas: title on top, value axis from 0 to a round maximum with grid lines,
/// one bar per value (its height proportional to the value), labels under the bars.
/// </summary>
public static class BarChart
{
    public const int TitleHeight = 34, LeftMargin = 76, BottomMargin = 52, RightMargin = 16;

    /// <summary>Draws the chart and returns each bar's box (height 0 for a zero value), in the values' order.</summary>
    public static IReadOnlyList<Box> Draw(Canvas canvas, Box area, string title, IReadOnlyList<string> labels,
        IReadOnlyList<double> values, IReadOnlyList<Rgb> colours, string axisLabel, bool showValues = true)
    {
        canvas.Text(area.X + 8, area.Y + 8, title, Canvas.Black);
        var plot = new Box(area.X + LeftMargin, area.Y + TitleHeight + 12, area.Width - LeftMargin - RightMargin,
            area.Height - TitleHeight - 12 - BottomMargin);
        var top = RoundUp(values.Count == 0 ? 0 : values.Max());
        for (var tick = 0; tick <= 4; tick++)
        {
            var y = plot.Bottom - (int)Math.Round(plot.Height * tick / 4.0);
            canvas.HorizontalLine(plot.X, plot.Right - 1, y, tick == 0 ? Canvas.Ink : Canvas.Grid);
            var text = Number(top * tick / 4);
            canvas.Text(plot.X - 8 - PixelFont.Width(text, 1) * 2, y - 7, text, Canvas.Ink);
        }
        canvas.VerticalLine(plot.X, plot.Y, plot.Bottom, Canvas.Ink);
        canvas.CentredText(plot.X + plot.Width / 2, plot.Bottom + 30, axisLabel, Canvas.Ink);
        var slot = plot.Width / (double)Math.Max(1, values.Count);
        var barWidth = Math.Max(1, (int)(slot * 0.75));
        var bars = new List<Box>();
        for (var i = 0; i < values.Count; i++)
        {
            var x = plot.X + (int)(slot * i + (slot - barWidth) / 2) + 1;
            var height = (int)Math.Round(plot.Height * values[i] / top);
            var bar = new Box(x, plot.Bottom - height, barWidth, height);
            canvas.Fill(bar.X, bar.Y, bar.Width, bar.Height, colours[i % colours.Count]);
            bars.Add(bar);
            var centre = x + barWidth / 2;
            if (labels[i].Length > 0)
            {
                var scale = PixelFont.Width(labels[i], 2) <= slot || labels.Count(l => l.Length > 0) < values.Count ? 2 : 1;
                canvas.CentredText(centre, plot.Bottom + 8, labels[i], Canvas.Ink, scale);
            }
            if (showValues && values[i] > 0 && PixelFont.Width(Number(values[i]), 1) <= slot)
            {
                var scale = PixelFont.Width(Number(values[i]), 2) <= barWidth ? 2 : 1;
                canvas.CentredText(centre, bar.Y - 4 - 7 * scale, Number(values[i]), Canvas.Ink, scale);
            }
        }
        return bars;
    }

    /// <summary>The smallest of 1, 2, 2.5, 5 times a power of ten that is at least <paramref name="value"/> (1 for 0).</summary>
    public static double RoundUp(double value)
    {
        if (value <= 0)
            return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
            if (step * power >= value * (1 - 1e-12))
                return step * power;
        return 10 * power;
    }

    /// <summary>Short labels: 1234 -> 1234, 12345 -> 12K, 0.125 -> 0.125, 1.5e6 -> 1.5M.</summary>
    public static string Number(double value) => value switch
    {
        >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "K",
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
