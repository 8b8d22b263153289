namespace Augur.OnnxRuntime.Samples;

/// <summary>
/// Trains the fraud MLP (inputs → 16 Relu units → 1 sigmoid) by mini-batch gradient descent with Adam
/// on the binary cross-entropy. Single-threaded, in double precision, with a seeded shuffle and only
/// exactly specified arithmetic (see <see cref="DeterministicMath"/>), so the same data and seed always
/// give the same weights, bit for bit, on any platform.
/// </summary>
internal static class FraudTrainer
{
    public const int HiddenUnits = 16;

    private const int BatchSize = 32;
    private const double LearningRate = 0.01;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    public static FraudWeights Train(float[][] rows, bool[] labels, int epochs, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Length == 0 || rows.Length != labels.Length)
        {
            throw new ArgumentException("Training needs at least one row and one label per row.", nameof(labels));
        }

        var random = new Random(seed);
        var inputs = rows[0].Length;
        var layout = new Layout(inputs, HiddenUnits);
        var parameters = Initialise(layout, random);
        var gradient = new double[layout.Count];
        var m = new double[layout.Count];
        var v = new double[layout.Count];
        var hiddenPre = new double[HiddenUnits];
        var order = Enumerable.Range(0, rows.Length).ToArray();
        double beta1Power = 1, beta2Power = 1;

        for (var epoch = 0; epoch < epochs; epoch++)
        {
            Shuffle(order, random);
            // Decaying the step size settles the weights instead of leaving them bouncing at the end.
            var learningRate = LearningRate * (1 - (0.9 * epoch / epochs));
            for (var start = 0; start < order.Length; start += BatchSize)
            {
                var end = Math.Min(start + BatchSize, order.Length);
                Array.Clear(gradient);
                for (var n = start; n < end; n++)
                {
                    Accumulate(layout, parameters, rows[order[n]], labels[order[n]], gradient, hiddenPre);
                }

                beta1Power *= Beta1;
                beta2Power *= Beta2;
                AdamStep(parameters, gradient, m, v, 1 - beta1Power, 1 - beta2Power, learningRate, end - start);
            }
        }

        return layout.ToWeights(parameters);
    }

    // Fisher–Yates by hand rather than Random.Shuffle, whose algorithm the runtime does not promise to keep.
    private static void Shuffle(int[] order, Random random)
    {
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private static double[] Initialise(Layout layout, Random random)
    {
        var parameters = new double[layout.Count];
        // He-uniform for the Relu layer, Glorot-uniform for the sigmoid output; biases start at zero.
        var limit1 = Math.Sqrt(6.0 / layout.Inputs);
        for (var k = 0; k < layout.Inputs * layout.Hidden; k++)
        {
            parameters[layout.W1 + k] = ((random.NextDouble() * 2) - 1) * limit1;
        }

        var limit2 = Math.Sqrt(6.0 / (layout.Hidden + 1));
        for (var j = 0; j < layout.Hidden; j++)
        {
            parameters[layout.W2 + j] = ((random.NextDouble() * 2) - 1) * limit2;
        }

        return parameters;
    }

    private static void Accumulate(Layout layout, double[] p, float[] x, bool label, double[] g, double[] hiddenPre)
    {
        var hidden = layout.Hidden;
        var logit = p[layout.B2];
        for (var j = 0; j < hidden; j++)
        {
            var h = p[layout.B1 + j];
            for (var i = 0; i < layout.Inputs; i++)
            {
                h += x[i] * p[layout.W1 + (i * hidden) + j];
            }

            hiddenPre[j] = h;
            logit += Math.Max(h, 0) * p[layout.W2 + j];
        }

        // d(cross-entropy)/d(logit) of a sigmoid output is simply prediction minus target.
        var delta = DeterministicMath.Sigmoid(logit) - (label ? 1 : 0);
        g[layout.B2] += delta;
        for (var j = 0; j < hidden; j++)
        {
            if (hiddenPre[j] <= 0)
            {
                continue;
            }

            g[layout.W2 + j] += delta * hiddenPre[j];
            var dh = delta * p[layout.W2 + j];
            g[layout.B1 + j] += dh;
            for (var i = 0; i < layout.Inputs; i++)
            {
                g[layout.W1 + (i * hidden) + j] += dh * x[i];
            }
        }
    }

    private static void AdamStep(double[] p, double[] g, double[] m, double[] v, double correction1, double correction2, double learningRate, int batch)
    {
        for (var k = 0; k < p.Length; k++)
        {
            var grad = g[k] / batch;
            m[k] = (Beta1 * m[k]) + ((1 - Beta1) * grad);
            v[k] = (Beta2 * v[k]) + ((1 - Beta2) * grad * grad);
            p[k] -= learningRate * (m[k] / correction1) / (Math.Sqrt(v[k] / correction2) + Epsilon);
        }
    }

    /// <summary>Offsets of each parameter block in the flat parameter vector.</summary>
    private readonly record struct Layout(int Inputs, int Hidden)
    {
        public int W1 => 0;

        public int B1 => Inputs * Hidden;

        public int W2 => B1 + Hidden;

        public int B2 => W2 + Hidden;

        public int Count => B2 + 1;

        public FraudWeights ToWeights(double[] p) => new(
            Slice(p, W1, Inputs * Hidden),
            Slice(p, B1, Hidden),
            Slice(p, W2, Hidden),
            Slice(p, B2, 1));

        private static float[] Slice(double[] p, int start, int length) =>
            p.AsSpan(start, length).ToArray().Select(d => (float)d).ToArray();
    }
}
