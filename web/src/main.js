// main.js — starts the UI: Vue, the router, vue-i18n (precompiled messages) and the parts of
// Element Plus the pages use (registered one by one so the rest is left out of the bundle).
import { createApp } from 'vue';
// Each from its own module: importing from the package root would keep every component,
// because its index reads properties of the full installer at load time.
import { ElAlert } from 'element-plus/es/components/alert/index.mjs';
import { ElButton } from 'element-plus/es/components/button/index.mjs';
import { ElCheckbox, ElCheckboxGroup } from 'element-plus/es/components/checkbox/index.mjs';
import { ElCol } from 'element-plus/es/components/col/index.mjs';
import { ElConfigProvider } from 'element-plus/es/components/config-provider/index.mjs';
import { ElAside, ElContainer, ElHeader, ElMain } from 'element-plus/es/components/container/index.mjs';
import { ElDatePicker } from 'element-plus/es/components/date-picker/index.mjs';
import { ElDescriptions, ElDescriptionsItem } from 'element-plus/es/components/descriptions/index.mjs';
import { ElDialog } from 'element-plus/es/components/dialog/index.mjs';
import { ElDrawer } from 'element-plus/es/components/drawer/index.mjs';
import { ElDropdown, ElDropdownItem, ElDropdownMenu } from 'element-plus/es/components/dropdown/index.mjs';
import { ElEmpty } from 'element-plus/es/components/empty/index.mjs';
import { ElForm, ElFormItem } from 'element-plus/es/components/form/index.mjs';
import { ElIcon } from 'element-plus/es/components/icon/index.mjs';
import { ElInput } from 'element-plus/es/components/input/index.mjs';
import { ElInputNumber } from 'element-plus/es/components/input-number/index.mjs';
import { ElLoading } from 'element-plus/es/components/loading/index.mjs';
import { ElMenu, ElMenuItem } from 'element-plus/es/components/menu/index.mjs';
import { ElPagination } from 'element-plus/es/components/pagination/index.mjs';
import { ElProgress } from 'element-plus/es/components/progress/index.mjs';
import { ElRow } from 'element-plus/es/components/row/index.mjs';
import { ElOption, ElSelect } from 'element-plus/es/components/select/index.mjs';
import { ElSwitch } from 'element-plus/es/components/switch/index.mjs';
import { ElTable, ElTableColumn } from 'element-plus/es/components/table/index.mjs';
import { ElTag } from 'element-plus/es/components/tag/index.mjs';
import { ElTree } from 'element-plus/es/components/tree/index.mjs';
import { ElTreeSelect } from 'element-plus/es/components/tree-select/index.mjs';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import { router } from './router.js';
import { i18n } from './i18n.js';

const app = createApp(App);
for (const c of [
  ElAlert,
  ElAside,
  ElButton,
  ElCheckbox,
  ElCheckboxGroup,
  ElCol,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElDialog,
  ElDrawer,
  ElDropdown,
  ElDropdownItem,
  ElDropdownMenu,
  ElEmpty,
  ElForm,
  ElFormItem,
  ElHeader,
  ElIcon,
  ElInput,
  ElInputNumber,
  ElLoading,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElOption,
  ElPagination,
  ElProgress,
  ElRow,
  ElSelect,
  ElSwitch,
  ElTable,
  ElTableColumn,
  ElTag,
  ElTree,
  ElTreeSelect,
]) {
  app.use(c);
}
app.use(i18n);
app.use(router);
app.mount('#app');
