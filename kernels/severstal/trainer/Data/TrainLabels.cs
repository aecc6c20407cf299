namespace Severstal.Data;

/// <summary>
/// train.csv in either published form: <c>ImageId,ClassId,EncodedPixels</c> (defect rows only; the image list comes
/// from train_images/) or <c>ImageId_ClassId,EncodedPixels</c> (four rows per image, blank when empty).
/// </summary>
public sealed class TrainLabels
{
    public const int Classes = 4;

    private readonly Dictionary<string, string?[]> _rles;

    private TrainLabels(IReadOnlyList<string> images, Dictionary<string, string?[]> rles)
    {
        Images = images;
        _rles = rles;
    }

    /// <summary>Every training image, sorted by id.</summary>
    public IReadOnlyList<string> Images { get; }

    /// <summary>The RLE of a class (1..4) on an image, or null when the image has no such defect.</summary>
    public string? Rle(string image, int classId) => _rles.TryGetValue(image, out var r) ? r[classId - 1] : null;

    public bool Has(string image, int classId) => Rle(image, classId) is not null;

    public bool HasAny(string image) => Enumerable.Range(1, Classes).Any(c => Has(image, c));

    public static TrainLabels Load(string datasetFolder)
    {
        var csv = Path.Combine(datasetFolder, "train.csv");
        var imagesFolder = Path.Combine(datasetFolder, "train_images");
        if (!File.Exists(csv))
            throw new FileNotFoundException($"{csv} not found; a Severstal dataset folder holds train.csv and train_images/");
        if (!Directory.Exists(imagesFolder))
            throw new DirectoryNotFoundException($"{imagesFolder} not found");
        var lines = File.ReadAllLines(csv);
        if (lines.Length == 0)
            throw new InvalidDataException($"{csv}:1: empty file");
        var header = lines[0].Trim().TrimStart('\uFEFF');
        var rles = new Dictionary<string, string?[]>();
        var oldFormat = header == "ImageId_ClassId,EncodedPixels";
        if (!oldFormat && header != "ImageId,ClassId,EncodedPixels")
            throw new InvalidDataException($"{csv}:1: header '{header}' is neither ImageId,ClassId,EncodedPixels nor ImageId_ClassId,EncodedPixels");
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            var fields = lines[i].Split(',');
            string image, classText, rle;
            if (oldFormat && fields.Length == 2 && fields[0].LastIndexOf('_') is var cut and > 0)
                (image, classText, rle) = (fields[0][..cut], fields[0][(cut + 1)..], fields[1]);
            else if (!oldFormat && fields.Length == 3)
                (image, classText, rle) = (fields[0], fields[1], fields[2]);
            else
                throw new InvalidDataException($"{csv}:{i + 1}: expected {(oldFormat ? 2 : 3)} fields, found '{lines[i]}'");
            if (!int.TryParse(classText, out var classId) || classId is < 1 or > Classes)
                throw new InvalidDataException($"{csv}:{i + 1}: class '{classText}' is not 1..4");
            if (string.IsNullOrWhiteSpace(rle))
                continue;
            try
            {
                Data.Rle.Decode(rle); // validate once, so a bad row is reported with its line
            }
            catch (FormatException error)
            {
                throw new InvalidDataException($"{csv}:{i + 1}: {error.Message}");
            }
            if (!rles.TryGetValue(image, out var perClass))
                rles[image] = perClass = new string?[Classes];
            perClass[classId - 1] = rle.Trim();
        }
        var images = Directory.EnumerateFiles(imagesFolder, "*.jpg").Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
        var missing = rles.Keys.FirstOrDefault(id => !File.Exists(Path.Combine(imagesFolder, id)));
        if (missing is not null)
            throw new InvalidDataException($"{csv}: image {missing} has labels but is not in train_images/");
        if (images.Count == 0)
            throw new InvalidDataException($"{imagesFolder}: no .jpg images");
        return new TrainLabels(images, rles);
    }
}
