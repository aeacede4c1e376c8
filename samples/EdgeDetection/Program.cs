using EdgeDetection;

// The 6×6 image: three columns of 10 (bright) then three of 0 (dark).
float[] image = new float[EdgeDetector.InputLength];
for (int y = 0; y < 6; y++)
{
    for (int x = 0; x < 3; x++)
    {
        image[(y * 6) + x] = 10;
    }
}

// The vertical edge filter [[1, 0, −1] × 3] and a zero bias, in PyTorch's layout (out, in, kH, kW).
var detector = new EdgeDetector();
float[] filter = [1, 0, -1, 1, 0, -1, 1, 0, -1];
filter.CopyTo(detector.Parameters);
detector.Parameters[9] = 0;

float[] edges = new float[EdgeDetector.OutputLength];
detector.Forward(image, edges);

Console.WriteLine(EdgeDetector.Summary);
for (int y = 0; y < 4; y++)
{
    Console.WriteLine(string.Join(" ", edges.AsSpan(y * 4, 4).ToArray().Select(v => v.ToString("0").PadLeft(3))));
}
