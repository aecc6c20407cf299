using SteelCI.Training;

namespace Severstal.Eda;

/// <summary>One train.csv row with a mask: its image, class (1..4), RLE text and line number.</summary>
public sealed record LabelRow(string Image, int ClassId, string Rle, int Line);

/// <summary>
/// train.csv read line by line for the analysis, in either published form (<c>ImageId,ClassId,EncodedPixels</c> or
/// <c>ImageId_ClassId,EncodedPixels</c>). Unlike the training stages' reader it does not stop at a bad RLE: the
/// analysis counts those. A row it cannot read at all (wrong field count, class not 1..4) is bad input, with its line.
/// </summary>
public static class LabelRows
{
    public const int Classes = 4;

    /// <summary>The rows with a non-empty RLE, grouped by image.</summary>
    public static Dictionary<string, List<LabelRow>> Read(string csv)
    {
        if (!File.Exists(csv))
            throw new BadInputException($"{csv} not found; a Severstal dataset folder holds train.csv and train_images/");
        var byImage = new Dictionary<string, List<LabelRow>>(StringComparer.Ordinal);
        var number = 0;
        bool? oldFormat = null;
        foreach (var line in File.ReadLines(csv))
        {
            number++;
            if (oldFormat is null)
            {
                var header = line.Trim().TrimStart('\uFEFF');
                oldFormat = header == "ImageId_ClassId,EncodedPixels" ? true
                    : header == "ImageId,ClassId,EncodedPixels" ? false
                    : throw new BadInputException($"{csv}:1: header '{header}' is neither ImageId,ClassId,EncodedPixels nor ImageId_ClassId,EncodedPixels");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var fields = line.Split(',');
            string image, classText, rle;
            if (oldFormat.Value && fields.Length == 2 && fields[0].LastIndexOf('_') is var cut and > 0)
                (image, classText, rle) = (fields[0][..cut], fields[0][(cut + 1)..], fields[1]);
            else if (!oldFormat.Value && fields.Length == 3)
                (image, classText, rle) = (fields[0], fields[1], fields[2]);
            else
                throw new BadInputException($"{csv}:{number}: expected {(oldFormat.Value ? 2 : 3)} fields, found '{line}'");
            if (!int.TryParse(classText, out var classId) || classId is < 1 or > Classes)
                throw new BadInputException($"{csv}:{number}: class '{classText}' is not 1..4");
            if (string.IsNullOrWhiteSpace(rle))
                continue;
            if (!byImage.TryGetValue(image, out var rows))
                byImage[image] = rows = [];
            rows.Add(new LabelRow(image, classId, rle.Trim(), number));
        }
        if (oldFormat is null)
            throw new BadInputException($"{csv}:1: empty file");
        return byImage;
    }
}
