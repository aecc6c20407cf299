using StbImageWriteSharp;

namespace Severstal.Eda;

/// <summary>An RGB raster to draw charts on (rectangles, lines and <see cref="PixelFont"/> text), saved as PNG.</summary>
public sealed class Canvas
{
    public static readonly Rgb White = new(255, 255, 255), Black = new(0, 0, 0), Grid = new(225, 225, 225), Ink = new(60, 60, 60);

    public Canvas(int width, int height, Rgb background)
    {
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        Fill(0, 0, width, height, background);
    }

    public int Width { get; }
    public int Height { get; }
    /// <summary>Row-major RGB bytes.</summary>
    public byte[] Pixels { get; }

    public Rgb this[int x, int y]
    {
        get
        {
            var o = (y * Width + x) * 3;
            return new Rgb(Pixels[o], Pixels[o + 1], Pixels[o + 2]);
        }
        set
        {
            if (x < 0 || y < 0 || x >= Width || y >= Height)
                return;
            var o = (y * Width + x) * 3;
            (Pixels[o], Pixels[o + 1], Pixels[o + 2]) = (value.R, value.G, value.B);
        }
    }

    /// <summary>Fills the rectangle from (x, y), <paramref name="width"/> by <paramref name="height"/>, clipped to the canvas.</summary>
    public void Fill(int x, int y, int width, int height, Rgb colour)
    {
        for (var yy = Math.Max(0, y); yy < Math.Min(Height, y + height); yy++)
        for (var xx = Math.Max(0, x); xx < Math.Min(Width, x + width); xx++)
            this[xx, yy] = colour;
    }

    public void HorizontalLine(int x0, int x1, int y, Rgb colour) => Fill(x0, y, x1 - x0 + 1, 1, colour);

    public void VerticalLine(int x, int y0, int y1, Rgb colour) => Fill(x, y0, 1, y1 - y0 + 1, colour);

    /// <summary>Text with its top-left corner at (x, y).</summary>
    public void Text(int x, int y, string text, Rgb colour, int scale = 2)
    {
        for (var i = 0; i < text.Length; i++)
        for (var gy = 0; gy < PixelFont.GlyphHeight; gy++)
        for (var gx = 0; gx < PixelFont.GlyphWidth; gx++)
            if (PixelFont.IsSet(text[i], gx, gy))
                Fill(x + (i * PixelFont.Advance + gx) * scale, y + gy * scale, scale, scale, colour);
    }

    public void CentredText(int centreX, int y, string text, Rgb colour, int scale = 2) =>
        Text(centreX - PixelFont.Width(text, scale) / 2, y, text, colour, scale);

    /// <summary>Copies an RGB image (row-major, <paramref name="width"/> wide) with its top-left corner at (x, y).</summary>
    public void Paste(int x, int y, byte[] rgb, int width, int height)
    {
        for (var yy = 0; yy < height; yy++)
        for (var xx = 0; xx < width; xx++)
        {
            var o = (yy * width + xx) * 3;
            this[x + xx, y + yy] = new Rgb(rgb[o], rgb[o + 1], rgb[o + 2]);
        }
    }

    public void SavePng(string path)
    {
        using var file = File.Create(path);
        new ImageWriter().WritePng(Pixels, Width, Height, ColorComponents.RedGreenBlue, file);
    }
}

public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The class colours <c>predict</c> tints masks with (classes 1..4).</summary>
    public static Rgb OfClass(int classId) =>
        new(Stages.PredictStage.Tints[classId - 1].R, Stages.PredictStage.Tints[classId - 1].G, Stages.PredictStage.Tints[classId - 1].B);
}
