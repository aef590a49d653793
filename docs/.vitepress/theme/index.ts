// The site's theme: VitePress's default theme with system fonts (nothing to download), the styles of
// notebook cells and outputs, and the figures, drawn with plotly.js when they come into view.
import type { Theme } from "vitepress";
import { useRoute } from "vitepress";
import DefaultTheme from "vitepress/theme-without-fonts";
import { nextTick, onMounted, watch } from "vue";
import Inspector from "./components/Inspector.vue";
import Playground from "./components/Playground.vue";
import { drawFigures } from "./figures";
import "./style.css";

export default {
  extends: DefaultTheme,
  enhanceApp({ app, router }) {
    app.component("Playground", Playground).component("Inspector", Inspector);
    // The browser checks (scripts/screenshot.mjs) visit the API pages through the router, as a
    // reader following the sidebar does: a page without a full reload each.
    if (typeof window !== "undefined")
      (window as unknown as { __quantlabRouter: unknown }).__quantlabRouter = router;
  },
  setup() {
    const route = useRoute();
    onMounted(() => {
      // Hydration is done: the browser checks (scripts/screenshot.mjs) wait for this.
      document.documentElement.dataset.hydrated = "";
      drawFigures();
    });
    watch(
      () => route.path,
      () => nextTick(drawFigures),
    );
  },
} satisfies Theme;
