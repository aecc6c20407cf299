using StbImageWriteSharp;

namespace SteelCI.Training;

/// <summary>
/// Draws a <see cref="LearningCurve"/> as a 640x360 PNG without any font or chart library (the trainer runs in Kaggle
/// kernels, where every dependency is bundle weight): epochs left to right on a light grid with one vertical line per
/// epoch; the training loss in blue, each validation metric in its own colour (CSV column order: orange, green, red,
/// purple), every series scaled to its own min..max so its trend shows. The numbers are in the CSV beside it.
/// </summary>
public static class CurvePlot
{
    public const int Width = 640, Height = 360, Margin = 24;

    private static readonly byte[][] Colours = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189]];

    public static void Write(string path, LearningCurve curve)
    {
        var pixels = Enumerable.Repeat((byte)255, Width * Height * 3).ToArray();
        var rows = curve.Rows;
        int first = rows.Count > 0 ? rows.Min(r => r.Epoch) : 1, last = rows.Count > 0 ? rows.Max(r => r.Epoch) : 1;
        int X(int epoch) => Margin + (int)Math.Round((epoch - first) * (Width - 2 * Margin) / (double)Math.Max(1, last - first));
        for (var e = first; e <= last; e++)
            Line(pixels, X(e), Margin, X(e), Height - Margin, [225, 225, 225], 1);
        Line(pixels, Margin, Height - Margin, Width - Margin, Height - Margin, [120, 120, 120], 1);
        Line(pixels, Margin, Margin, Margin, Height - Margin, [120, 120, 120], 1);
        var series = new List<List<(int Epoch, double Value)>> { rows.Select(r => (r.Epoch, r.Loss)).ToList() };
        series.AddRange(curve.MetricNames.Select(name => rows.Where(r => r.Metrics.ContainsKey(name)).Select(r => (r.Epoch, r.Metrics[name])).ToList()));
        for (var s = 0; s < series.Count; s++)
        {
            var points = series[s].Where(p => double.IsFinite(p.Value)).ToList();
            if (points.Count == 0)
                continue;
            double low = points.Min(p => p.Value), high = points.Max(p => p.Value);
            int Y(double v) => high > low ? Height - Margin - (int)Math.Round((v - low) / (high - low) * (Height - 2 * Margin)) : Height / 2;
            var colour = Colours[s % Colours.Length];
            for (var i = 0; i < points.Count; i++)
            {
                Box(pixels, X(points[i].Epoch), Y(points[i].Value), colour);
                if (i > 0)
                    Line(pixels, X(points[i - 1].Epoch), Y(points[i - 1].Value), X(points[i].Epoch), Y(points[i].Value), colour, 2);
            }
        }
        using var stream = File.Create(path);
        new ImageWriter().WritePng(pixels, Width, Height, ColorComponents.RedGreenBlue, stream);
    }

    private static void Line(byte[] pixels, int x0, int y0, int x1, int y1, byte[] colour, int thickness)
    {
        var steps = Math.Max(1, Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)));
        for (var i = 0; i <= steps; i++)
        {
            int x = x0 + (x1 - x0) * i / steps, y = y0 + (y1 - y0) * i / steps;
            for (var d = 0; d < thickness; d++)
            {
                Set(pixels, x, y + d, colour);
                Set(pixels, x + d, y, colour);
            }
        }
    }

    private static void Box(byte[] pixels, int x, int y, byte[] colour)
    {
        for (var dy = -3; dy <= 3; dy++)
        for (var dx = -3; dx <= 3; dx++)
            Set(pixels, x + dx, y + dy, colour);
    }

    private static void Set(byte[] pixels, int x, int y, byte[] colour)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height)
            return;
        Array.Copy(colour, 0, pixels, (y * Width + x) * 3, 3);
    }
}
