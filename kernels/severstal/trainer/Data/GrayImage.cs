namespace Severstal.Data;

/// <summary>Reads a JPEG as grayscale and shrinks it by whole factors (area average) to the training resolution.</summary>
public static class GrayImage
{
    /// <summary>Through libvips (<see cref="VipsJpeg"/>), the same decoder as the per-batch loader, so preloaded and streamed pixels agree.</summary>
    public static byte[] Load(string path, int height, int width) => VipsJpeg.Decode(path, height, width);

    public static byte[] Shrink(byte[] pixels, int height, int width, int toHeight, int toWidth)
    {
        int fy = height / toHeight, fx = width / toWidth;
        var result = new byte[toHeight * toWidth];
        for (var y = 0; y < toHeight; y++)
        for (var x = 0; x < toWidth; x++)
        {
            var sum = 0;
            for (var dy = 0; dy < fy; dy++)
            for (var dx = 0; dx < fx; dx++)
                sum += pixels[(y * fy + dy) * width + x * fx + dx];
            result[y * toWidth + x] = (byte)(sum / (fx * fy));
        }
        return result;
    }

    /// <summary>A mask shrunk the same way: a low-resolution pixel is set when at least half its area is.</summary>
    public static byte[] ShrinkMask(byte[] mask, int height, int width, int toHeight, int toWidth)
    {
        int fy = height / toHeight, fx = width / toWidth;
        var result = new byte[toHeight * toWidth];
        for (var y = 0; y < toHeight; y++)
        for (var x = 0; x < toWidth; x++)
        {
            var on = 0;
            for (var dy = 0; dy < fy; dy++)
            for (var dx = 0; dx < fx; dx++)
                on += mask[(y * fy + dy) * width + x * fx + dx];
            result[y * toWidth + x] = (byte)(2 * on >= fx * fy ? 1 : 0);
        }
        return result;
    }

    /// <summary>Nearest-neighbour enlargement of a low-resolution mask back to full size.</summary>
    public static byte[] EnlargeMask(byte[] mask, int height, int width, int toHeight, int toWidth)
    {
        int fy = toHeight / height, fx = toWidth / width;
        var result = new byte[toHeight * toWidth];
        for (var y = 0; y < toHeight; y++)
        for (var x = 0; x < toWidth; x++)
            result[y * toWidth + x] = mask[y / fy * width + x / fx];
        return result;
    }
}
