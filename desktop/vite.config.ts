// The renderer build: the same React app runs in Electron (file://) and from the UI daemon (http), so
// asset paths are relative.
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const rendererRoot = fileURLToPath(new URL("./src/ui", import.meta.url));
const rendererOutDir = fileURLToPath(new URL("./dist/app/renderer", import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: "./",
  plugins: [react(), tailwindcss()],
  build: {
    outDir: rendererOutDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: "warn",
});
